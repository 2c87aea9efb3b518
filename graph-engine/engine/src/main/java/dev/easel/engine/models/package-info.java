/**
 * ComfyUI's models folder layout and {@code extra_model_paths.yaml}:
 * {@link dev.easel.engine.models.ModelFolders}.
 */
package dev.easel.engine.models;
