/**
 * The libtorch runtime of Easel: loading the natives ({@link dev.easel.runtime.Torch}), thread pools
 * ({@link dev.easel.runtime.ThreadSettings}), the compute device and dtype ({@link dev.easel.runtime.DeviceSelector},
 * {@link dev.easel.runtime.DtypePolicy}), memory figures ({@link dev.easel.runtime.MemoryStats}) and the one
 * value type that carries native memory between nodes, {@link dev.easel.runtime.TensorRef}.
 *
 * <p>This module knows nothing about what a tensor means (an image, a latent, ...): those value shapes belong to
 * the node vocabulary and live in the core node pack.
 */
package dev.easel.runtime;
