/**
 * Reading and writing safetensors files with libtorch tensors (format spec:
 * https://github.com/huggingface/safetensors).
 *
 * <ul>
 *   <li>{@link dev.easel.runtime.safetensors.SafetensorsFile}: strict header validation, zero-copy views into one
 *       libtorch file mapping per file, private copies, raw bytes and SHA-256 of a tensor's data.</li>
 *   <li>{@link dev.easel.runtime.safetensors.SafetensorsWriter}: header byte-compatible with the reference writer,
 *       tensor data streamed from native memory, and an atomic (temp file + fsync + rename) variant.</li>
 * </ul>
 *
 * <p><b>Memory.</b> Every method frees the temporary JavaCPP wrappers it creates. A tensor it returns is attached to
 * the caller's innermost {@link org.bytedeco.javacpp.PointerScope} if there is one, like the result of any libtorch
 * call (so it is freed when that scope closes, unless retained), and is otherwise freed by {@code close()} or the
 * garbage collector. Tensors from {@link dev.easel.runtime.safetensors.SafetensorsFile#view} share memory with the
 * file mapping and must not be modified in place.
 */
package dev.easel.runtime.safetensors;
