package dev.easel.caching;

/**
 * The accelerator tier's only device-specific job: telling which values live in accelerator memory, and copying
 * them to host memory when the accelerator budget is full. An interface so the tier can be tested without a GPU.
 */
public interface DeviceMover {

    /** True when {@code value} holds accelerator memory. */
    boolean onAccelerator(Object value);

    /**
     * A host-memory equivalent of {@code value} with one reference owned by the caller ({@link
     * dev.easel.node.RefCounted}); a value already on the host is retained and returned as it is. {@code value} itself
     * is left as it was.
     *
     * @throws UnsupportedOperationException when the value cannot be moved (the entry is then dropped)
     */
    Object toHost(Object value);
}
