package dev.easel.nodes.core.model.pickle;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The element types a pickled torch storage or tensor can have: the storage class names of {@code torch.save}
 * ({@code torch.HalfStorage}, ...) and the dtype names ({@code torch.float16}, ...), with the element size in bytes.
 */
public enum TorchDtype {
    FLOAT32(4, "FloatStorage", List.of("float32", "float"), "Float"),
    FLOAT64(8, "DoubleStorage", List.of("float64", "double"), "Double"),
    FLOAT16(2, "HalfStorage", List.of("float16", "half"), "Half"),
    BFLOAT16(2, "BFloat16Storage", List.of("bfloat16"), "BFloat16"),
    INT64(8, "LongStorage", List.of("int64", "long"), "Long"),
    INT32(4, "IntStorage", List.of("int32", "int"), "Int"),
    INT16(2, "ShortStorage", List.of("int16", "short"), "Short"),
    INT8(1, "CharStorage", List.of("int8"), "Char"),
    UINT8(1, "ByteStorage", List.of("uint8"), "Byte"),
    BOOL(1, "BoolStorage", List.of("bool"), "Bool"),
    COMPLEX64(8, "ComplexFloatStorage", List.of("complex64", "cfloat"), "ComplexFloat"),
    COMPLEX128(16, "ComplexDoubleStorage", List.of("complex128", "cdouble"), "ComplexDouble"),
    UINT16(2, null, List.of("uint16"), "UInt16"),
    UINT32(4, null, List.of("uint32"), "UInt32"),
    UINT64(8, null, List.of("uint64"), "UInt64"),
    FLOAT8_E4M3FN(1, null, List.of("float8_e4m3fn"), "Float8_e4m3fn"),
    FLOAT8_E5M2(1, null, List.of("float8_e5m2"), "Float8_e5m2"),
    FLOAT8_E4M3FNUZ(1, null, List.of("float8_e4m3fnuz"), "Float8_e4m3fnuz"),
    FLOAT8_E5M2FNUZ(1, null, List.of("float8_e5m2fnuz"), "Float8_e5m2fnuz"),
    FLOAT8_E8M0FNU(1, null, List.of("float8_e8m0fnu"), "Float8_e8m0fnu");

    private static final Map<String, TorchDtype> BY_STORAGE = new HashMap<>();
    private static final Map<String, TorchDtype> BY_NAME = new HashMap<>();

    static {
        for (TorchDtype d : values()) {
            if (d.storageName != null) {
                BY_STORAGE.put(d.storageName, d);
            }
            d.pythonNames.forEach(n -> BY_NAME.put(n, d));
        }
        BY_STORAGE.put("UntypedStorage", UINT8); // torch >= 2: bytes, reinterpreted by _rebuild_tensor_v3's dtype
    }

    private final int itemSize;
    private final String storageName;
    private final List<String> pythonNames;
    private final String scalarTypeName;

    TorchDtype(int itemSize, String storageName, List<String> pythonNames, String scalarTypeName) {
        this.itemSize = itemSize;
        this.storageName = storageName;
        this.pythonNames = pythonNames;
        this.scalarTypeName = scalarTypeName;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    /** The typed storage class in module {@code torch} ({@code HalfStorage}, ...), or {@code null} when there is none. */
    public String storageClassName() {
        return storageName;
    }

    /** The dtype of a libtorch element type. */
    public static Optional<TorchDtype> of(ScalarType scalarType) {
        String name = scalarType.intern().name();
        for (TorchDtype d : values()) {
            if (d.scalarTypeName.equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** The libtorch element type. */
    public ScalarType scalarType() {
        return ScalarType.valueOf(scalarTypeName);
    }

    /** The dtype of a storage class name such as {@code HalfStorage} (in module {@code torch}). */
    public static Optional<TorchDtype> ofStorageClass(String name) {
        return Optional.ofNullable(BY_STORAGE.get(name));
    }

    /** The dtype of a {@code torch.<name>} dtype object such as {@code float16}. */
    public static Optional<TorchDtype> ofDtypeName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }
}
