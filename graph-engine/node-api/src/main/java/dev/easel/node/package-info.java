/**
 * The Easel node SPI: the one public API that every node pack compiles against, core nodes included.
 *
 * <p>A node pack is a {@link dev.easel.node.NodePack} (a PF4J extension point) that lists {@link dev.easel.node.Node}s.
 * A node describes itself with a {@link dev.easel.node.NodeSchema} (inputs, outputs, category, flags) and computes its
 * outputs in {@link dev.easel.node.Node#execute}. The schema renders as ComfyUI's V1 {@code object_info} JSON, so the
 * inputs, types and options here follow ComfyUI's names.
 *
 * <p>Values that hold native memory (tensors) implement {@link dev.easel.node.RefCounted}; the engine owns every
 * output explicitly and frees it when its last owner lets go.
 */
package dev.easel.node;
