package dev.easel.runtime.safetensors;

import java.util.Optional;
import java.util.Set;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The element types of the safetensors format that map onto a libtorch {@link ScalarType}, with their codes as
 * written in the header and their size in bytes.
 *
 * <p>The reference format also defines the sub-byte types {@code F4}, {@code F6_E2M3}, {@code F6_E3M2} and the
 * complex {@code C64}; files using them are rejected with an "unsupported dtype" error rather than misread.
 */
public enum SafetensorsDtype {
    F64("F64", 8, ScalarType.Double, 17),
    F32("F32", 4, ScalarType.Float, 15),
    F16("F16", 2, ScalarType.Half, 11),
    BF16("BF16", 2, ScalarType.BFloat16, 12),
    I64("I64", 8, ScalarType.Long, 18),
    I32("I32", 4, ScalarType.Int, 13),
    I16("I16", 2, ScalarType.Short, 9),
    I8("I8", 1, ScalarType.Char, 5),
    U8("U8", 1, ScalarType.Byte, 4),
    BOOL("BOOL", 1, ScalarType.Bool, 0),
    F8_E4M3("F8_E4M3", 1, ScalarType.Float8_e4m3fn, 7),
    F8_E5M2("F8_E5M2", 1, ScalarType.Float8_e5m2, 6),
    // Also in the reference format; libtorch only supports a few ops on them (views, copies, comparisons).
    U64("U64", 8, ScalarType.UInt64, 19),
    U32("U32", 4, ScalarType.UInt32, 14),
    U16("U16", 2, ScalarType.UInt16, 10),
    F8_E8M0("F8_E8M0", 1, ScalarType.Float8_e8m0fnu, 8);

    /** Codes the reference format defines that this library cannot represent as a libtorch tensor. */
    static final Set<String> UNSUPPORTED_CODES = Set.of("F4", "F6_E2M3", "F6_E3M2", "C64");

    private final String code;
    private final int itemSize;
    private final ScalarType scalarType;
    private final int referenceRank;

    SafetensorsDtype(String code, int itemSize, ScalarType scalarType, int referenceRank) {
        this.code = code;
        this.itemSize = itemSize;
        this.scalarType = scalarType;
        this.referenceRank = referenceRank;
    }

    /**
     * The position of this dtype in the reference implementation's {@code Dtype} enum (BOOL, F4, F6_E2M3, F6_E3M2,
     * U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, I16, U16, F16, BF16, I32, U32, F32, C64, F64, I64, U64), which its writer
     * sorts by, descending, to keep tensors aligned.
     */
    int referenceRank() {
        return referenceRank;
    }

    /** The code in the header, for example {@code "BF16"}. */
    public String code() {
        return code;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    /** The libtorch element type. */
    public ScalarType scalarType() {
        return scalarType;
    }

    /** The dtype for a header code (case-sensitive, as in the format), or empty when it is unknown or unsupported. */
    public static Optional<SafetensorsDtype> fromCode(String code) {
        for (SafetensorsDtype dtype : values()) {
            if (dtype.code.equals(code)) {
                return Optional.of(dtype);
            }
        }
        return Optional.empty();
    }

    /**
     * The dtype for a libtorch element type.
     *
     * @throws IllegalArgumentException for types safetensors cannot store (complex, quantized, ...)
     */
    public static SafetensorsDtype of(ScalarType scalarType) {
        // JavaCPP returns a fresh enum object for each native enum value; intern() makes == work.
        ScalarType wanted = scalarType.intern();
        for (SafetensorsDtype dtype : values()) {
            if (dtype.scalarType == wanted) {
                return dtype;
            }
        }
        throw new IllegalArgumentException("safetensors has no dtype for libtorch " + wanted);
    }
}
