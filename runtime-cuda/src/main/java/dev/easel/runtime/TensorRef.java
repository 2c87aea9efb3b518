package dev.easel.runtime;

import dev.easel.node.ContentHashable;
import dev.easel.node.RefCounted;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * One libtorch tensor passed between nodes, freed by explicit reference counting instead of the garbage collector
 * (libtorch memory is invisible to the GC: docs/java-stack.md §1.4).
 *
 * <p>The count is JavaCPP's own reference count of the {@link Tensor} wrapper: a tensor created inside a
 * {@link PointerScope} starts with one reference held by the scope. The engine opens a scope around every node call,
 * calls {@link #retain()} once per owner of each output before the scope closes, and {@link #release()} when an owner
 * is done; the native memory is freed when the count reaches zero. An output nobody retained dies with the scope.
 *
 * <p>Retain and release may come from different threads. Using the tensor after it was freed, or releasing it more
 * often than it was retained, throws {@link IllegalStateException} instead of touching freed memory.
 *
 * <p>Wrap only tensors you created; to pass an input on unchanged, return the input's {@code TensorRef} itself, so
 * that every owner counts on the same wrapper.
 *
 * <p>Tensors are immutable by convention (nodes make new tensors instead of writing into their inputs), which is
 * what lets {@link #contentHash()} be computed once and kept.
 */
public final class TensorRef implements RefCounted, ContentHashable {

    /** Bytes handed to the digest at a time: {@link ByteBuffer} views are int-sized, tensors may be larger. */
    private static final int HASH_CHUNK = 1 << 30;

    private final Tensor tensor;
    private boolean freed;
    private volatile String contentHash;

    private TensorRef(Tensor tensor) {
        this.tensor = tensor;
    }

    /**
     * Wraps {@code tensor}, which must own its native handle (as every op result does).
     *
     * @throws IllegalArgumentException when the tensor is already freed, undefined, or a borrowed (non-owning) view
     */
    public static TensorRef of(Tensor tensor) {
        Objects.requireNonNull(tensor, "tensor");
        if (tensor.isNull()) {
            throw new IllegalArgumentException("cannot wrap a tensor that was already freed");
        }
        if (tensor.referenceCount() < 0) {
            throw new IllegalArgumentException("cannot wrap a borrowed tensor handle; wrap a copy (new Tensor(t))");
        }
        if (!tensor.defined()) {
            throw new IllegalArgumentException("cannot wrap an undefined tensor");
        }
        return new TensorRef(tensor);
    }

    @Override
    public synchronized void retain() {
        requireLive("retain");
        tensor.retainReference();
    }

    @Override
    public synchronized void release() {
        requireLive("release");
        if (tensor.referenceCount() <= 0) {
            throw new IllegalStateException("tensor released more often than it was retained " + describe());
        }
        if (tensor.releaseReference()) {
            freed = true;
        }
    }

    /** The tensor, for computing with; valid until the last owner releases it. */
    public synchronized Tensor tensor() {
        requireLive("use");
        return tensor;
    }

    /** True once the native memory was freed (by {@link #release()} or by the scope it was created in). */
    public synchronized boolean isFreed() {
        return freed || tensor.isNull();
    }

    /** The current number of owners (the creating scope counts as one); 0 once freed. */
    public synchronized int referenceCount() {
        return isFreed() ? 0 : Math.max(0, tensor.referenceCount());
    }

    /** The sizes of each dimension. */
    public synchronized long[] shape() {
        requireLive("read the shape of");
        try (PointerScope scope = new PointerScope()) {
            return tensor.shape();
        }
    }

    /** The number of dimensions. */
    public synchronized int dim() {
        requireLive("read the rank of");
        return (int) tensor.dim();
    }

    /**
     * The element type. JavaCPP builds a fresh enum object for every native enum it returns, so the value is interned
     * here: without that, {@code ==}, {@code equals} and {@code switch} on it do not work.
     */
    public synchronized ScalarType dtype() {
        requireLive("read the dtype of");
        return tensor.scalar_type().intern();
    }

    /** The device in libtorch's spelling ({@code cpu}, {@code cuda:0}). */
    public synchronized String device() {
        requireLive("read the device of");
        try (PointerScope scope = new PointerScope(); Device device = tensor.device()) {
            return device.str().getString();
        }
    }

    /** The size of the tensor's elements in bytes (views report their own extent, not the whole storage). */
    public synchronized long byteSize() {
        requireLive("read the size of");
        return tensor.nbytes();
    }

    @Override
    public long nativeBytes() {
        return byteSize();
    }

    /**
     * SHA-256 (hex) over {@code "easel.tensor.v1\n" + dtype name + "\n" + shape joined by "," + "\n"} followed by
     * the elements in contiguous row-major order as they lie in CPU memory (little-endian). Equal for equal dtype,
     * shape and values, whatever the device, strides or process. Computed on first use and kept.
     */
    @Override
    public String contentHash() {
        String hash = contentHash;
        if (hash != null) {
            return hash;
        }
        synchronized (this) { // holds off a concurrent last release while the bytes are read
            requireLive("hash");
            if (contentHash == null) {
                contentHash = sha256();
            }
            return contentHash;
        }
    }

    private String sha256() {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        try (PointerScope scope = new PointerScope()) {
            long[] shape = tensor.shape();
            StringBuilder header = new StringBuilder("easel.tensor.v1\n")
                    .append(tensor.scalar_type().intern().name()).append('\n');
            for (int i = 0; i < shape.length; i++) {
                header.append(i == 0 ? "" : ",").append(shape[i]);
            }
            digest.update(header.append('\n').toString().getBytes(StandardCharsets.UTF_8));
            // Hash the tensor's own memory in place when it is already a dense CPU block; otherwise one temporary copy.
            Tensor dense = tensor.cpu().resolve_neg().contiguous(); // each returns the tensor itself when it can
            long size = dense.nbytes();
            Pointer data = size == 0 ? null : dense.data_ptr();
            for (long offset = 0; offset < size; offset += HASH_CHUNK) {
                long length = Math.min(HASH_CHUNK, size - offset);
                ByteBuffer chunk = new BytePointer(data).<BytePointer>getPointer(offset).limit(length).asByteBuffer();
                digest.update(chunk);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public synchronized String toString() {
        return "TensorRef" + describe();
    }

    private String describe() {
        if (isFreed()) {
            return "[freed]";
        }
        try (PointerScope scope = new PointerScope()) {
            return "[" + Arrays.toString(tensor.shape()) + ", " + tensor.scalar_type().intern() + "]";
        }
    }

    private void requireLive(String action) {
        if (isFreed()) {
            throw new IllegalStateException("cannot " + action + " a tensor that was already freed");
        }
    }
}
