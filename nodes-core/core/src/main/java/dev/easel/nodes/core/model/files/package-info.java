/**
 * Model weight files: {@link dev.easel.nodes.core.model.files.CheckpointReader} (safetensors and zip-format
 * {@code torch.save} checkpoints into a {@code StateDict}), {@link dev.easel.nodes.core.model.files.TorchCheckpoint}
 * (zero-copy access to a checkpoint's tensors and metadata) and {@link dev.easel.nodes.core.model.files.ModelDetector}
 * (what architecture a state dict holds).
 */
package dev.easel.nodes.core.model.files;
