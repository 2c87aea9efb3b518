/**
 * ComfyUI's models folder layout and {@code extra_model_paths.yaml}:
 * {@link dev.easel.nodes.core.model.folders.ModelFolders}.
 */
package dev.easel.nodes.core.model.folders;
