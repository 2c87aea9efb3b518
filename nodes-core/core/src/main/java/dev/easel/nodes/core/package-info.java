/**
 * The core node pack, {@link dev.easel.nodes.core.CoreNodePack}: primitives, strings, arithmetic, images, latents and
 * the output nodes, one class per node, grouped in subpackages by ComfyUI category.
 */
package dev.easel.nodes.core;
