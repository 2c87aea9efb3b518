package dev.easel.runtime;

import java.util.Locale;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Which floating-point type model math runs in. On the CPU it is always float32: fp16 and bf16 are 4-8x slower there
 * on CPUs without AMX (docs/java-stack.md, pitfall 10.5), so half-precision weights are upcast. On CUDA it is fp16 by
 * default, or what the system property {@value #CUDA_PROPERTY} ({@code fp16}, {@code bf16}, {@code fp32}) asks for.
 */
public final class DtypePolicy {

    /** System property choosing the CUDA compute dtype. */
    public static final String CUDA_PROPERTY = "easel.cuda.dtype";

    private final ScalarType cudaDtype;

    public DtypePolicy(ScalarType cudaDtype) {
        if (cudaDtype != ScalarType.Half && cudaDtype != ScalarType.BFloat16 && cudaDtype != ScalarType.Float) {
            throw new IllegalArgumentException("CUDA compute dtype must be Half, BFloat16 or Float: " + cudaDtype);
        }
        this.cudaDtype = cudaDtype;
    }

    /** fp16 on CUDA unless {@value #CUDA_PROPERTY} says otherwise. */
    public static DtypePolicy fromSystemProperties() {
        String raw = System.getProperty(CUDA_PROPERTY);
        return new DtypePolicy(raw == null || raw.isBlank() ? ScalarType.Half : parse(raw));
    }

    /** The dtype model math runs in on {@code device}. */
    public ScalarType computeDtype(ComputeDevice device) {
        return device.isCuda() ? cudaDtype : ScalarType.Float;
    }

    private static ScalarType parse(String raw) {
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "fp16", "float16", "half" -> ScalarType.Half;
            case "bf16", "bfloat16" -> ScalarType.BFloat16;
            case "fp32", "float32", "float" -> ScalarType.Float;
            default -> throw new IllegalArgumentException("-D" + CUDA_PROPERTY + " must be fp16, bf16 or fp32, got '"
                    + raw + "'");
        };
    }
}
