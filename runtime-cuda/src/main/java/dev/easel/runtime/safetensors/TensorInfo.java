package dev.easel.runtime.safetensors;

import java.util.Arrays;
import java.util.Objects;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * One tensor's header entry.
 *
 * @param name the tensor's name
 * @param dtype the dtype code as written in the header ({@code "F16"}, ...)
 * @param scalarType the matching libtorch element type
 * @param shape the sizes of each dimension ({@code []} for a 0-d scalar); the accessor returns a copy
 * @param dataBegin absolute file offset of the first byte
 * @param dataEnd absolute file offset one past the last byte ({@code == dataBegin} for a zero-element tensor)
 */
public record TensorInfo(String name, String dtype, ScalarType scalarType, long[] shape, long dataBegin, long dataEnd) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(scalarType, "scalarType");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of dimensions (0 for a scalar). */
    public int rank() {
        return shape.length;
    }

    /** The number of elements (1 for a 0-d scalar, 0 when any dimension is 0). */
    public long numel() {
        long n = 1;
        for (long size : shape) {
            n *= size; // cannot overflow: the header validation checked numel × item size
        }
        return n;
    }

    /** The number of data bytes, {@code dataEnd - dataBegin}. */
    public long byteSize() {
        return dataEnd - dataBegin;
    }

    /** The dtype as an enum. */
    public SafetensorsDtype safetensorsDtype() {
        return SafetensorsDtype.fromCode(dtype).orElseThrow();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo other && name.equals(other.name) && dtype.equals(other.dtype)
                && scalarType == other.scalarType && Arrays.equals(shape, other.shape)
                && dataBegin == other.dataBegin && dataEnd == other.dataEnd;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), dataBegin, dataEnd);
    }

    @Override
    public String toString() {
        return "TensorInfo[" + name + ", " + dtype + " " + Arrays.toString(shape) + ", bytes " + dataBegin + ".."
                + dataEnd + "]";
    }
}
