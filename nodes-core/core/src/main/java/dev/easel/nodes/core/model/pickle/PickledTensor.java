package dev.easel.nodes.core.model.pickle;

import java.util.Arrays;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a strided view of a storage. No data is read
 * while unpickling; a reader turns it into a libtorch tensor with {@code as_strided}.
 *
 * @param storage the storage it views
 * @param dtype its element type (the storage's, except for {@code _rebuild_tensor_v3} over untyped bytes)
 * @param storageOffset the offset of its first element in the storage, in elements of {@code dtype}
 * @param size its shape
 * @param stride its strides, in elements
 * @param requiresGrad whether it was a parameter requiring gradients (informational)
 */
public record PickledTensor(TorchStorageRef storage, TorchDtype dtype, long storageOffset, long[] size, long[] stride,
        boolean requiresGrad) {

    public PickledTensor {
        size = size.clone();
        stride = stride.clone();
    }

    @Override
    public long[] size() {
        return size.clone();
    }

    @Override
    public long[] stride() {
        return stride.clone();
    }

    /** The number of elements. */
    public long numel() {
        long n = 1;
        for (long s : size) {
            n *= s;
        }
        return n;
    }

    /**
     * One past the last storage element (in elements of {@link #dtype}) the view touches, or {@code storageOffset}
     * for an empty tensor.
     */
    public long extentEnd() {
        if (numel() == 0) {
            return storageOffset;
        }
        long last = storageOffset;
        for (int i = 0; i < size.length; i++) {
            last += (size[i] - 1) * stride[i];
        }
        return last + 1;
    }

    PickledTensor withRequiresGrad(boolean value) {
        return new PickledTensor(storage, dtype, storageOffset, size, stride, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PickledTensor t && t.storage.equals(storage) && t.dtype == dtype
                && t.storageOffset == storageOffset && Arrays.equals(t.size, size) && Arrays.equals(t.stride, stride)
                && t.requiresGrad == requiresGrad;
    }

    @Override
    public int hashCode() {
        return storage.hashCode() * 31 + Arrays.hashCode(size) * 17 + Long.hashCode(storageOffset);
    }

    @Override
    public String toString() {
        return "tensor(" + dtype + ", size=" + Arrays.toString(size) + ", stride=" + Arrays.toString(stride)
                + ", offset=" + storageOffset + ", storage=" + storage.key() + ")";
    }
}
