package dev.easel.plugins.js;

import dev.easel.node.InputSpec;
import java.math.BigInteger;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The types a JavaScript node may exchange, and the checks that turn a script's result into a value of a declared
 * output type. Strict conversions ({@link #toDeclared}) are for pack nodes; lenient ones ({@link #asInt},
 * {@link #asFloat}) follow Python's {@code int()} / {@code float()} for the inline node's typed outputs.
 */
final class JsTypes {

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?(\\d+\\.?\\d*([eE][+-]?\\d+)?|\\.\\d+([eE][+-]?\\d+)?|inf|infinity|nan)",
                    Pattern.CASE_INSENSITIVE);

    /** Java-side types (tensors, models) that never cross into JavaScript. */
    static final Set<String> JAVA_ONLY = Set.of("IMAGE", "MASK", "LATENT", "CONDITIONING", "MODEL", "CLIP", "VAE",
            "CONTROL_NET", "UPSCALE_MODEL", "CLIP_VISION", "CLIP_VISION_OUTPUT", "STYLE_MODEL", "GLIGEN", "NOISE",
            "SAMPLER", "SIGMAS", "GUIDER", "AUDIO", "VIDEO");

    private JsTypes() {
    }

    /** True for the type names a JavaScript node may declare: widgets, {@code *}, and JSON-like custom types. */
    static boolean allowed(String type) {
        return !JAVA_ONLY.contains(type);
    }

    /**
     * Converts a result value to the declared output type, strictly: INT takes integral numbers and BigInts up to
     * 2^64−1 (returned as unsigned bits above 2^63−1, as seeds travel), FLOAT any number, STRING strings, BOOLEAN
     * booleans, and every other type (JSON-like) any plain value.
     *
     * @throws IllegalArgumentException naming {@code what} when the value does not fit
     */
    static Object toDeclared(String type, Object value, String what) {
        switch (type) {
            case InputSpec.INT -> {
                Long l = integral(value);
                if (l == null) {
                    throw new IllegalArgumentException(what + " must be an INT (an integral number up to 2^64-1), got "
                            + describe(value));
                }
                return l;
            }
            case InputSpec.FLOAT -> {
                if (value instanceof Number n) {
                    return n.doubleValue();
                }
                throw new IllegalArgumentException(what + " must be a FLOAT (a number), got " + describe(value));
            }
            case InputSpec.STRING, InputSpec.COMBO -> {
                if (value instanceof String) {
                    return value;
                }
                throw new IllegalArgumentException(what + " must be a STRING, got " + describe(value));
            }
            case InputSpec.BOOLEAN -> {
                if (value instanceof Boolean) {
                    return value;
                }
                throw new IllegalArgumentException(what + " must be a BOOLEAN, got " + describe(value));
            }
            default -> {
                return value;
            }
        }
    }

    /** Python's {@code int(x)} on a script result (truncation aside): integral numbers, booleans, integer text. */
    static Long asInt(Object value) {
        if (value instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        if (value instanceof String s && INTEGER.matcher(s.strip()).matches()) {
            return integral(new BigInteger(s.strip().startsWith("+") ? s.strip().substring(1) : s.strip()));
        }
        return integral(value);
    }

    /** Python's {@code float(x)} on a script result: numbers, booleans, decimal text, inf and nan. */
    static Double asFloat(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        if (value instanceof String s && DECIMAL.matcher(s.strip()).matches()) {
            String t = s.strip().toLowerCase();
            if (t.endsWith("inf") || t.endsWith("infinity")) {
                return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            return t.endsWith("nan") ? Double.NaN : Double.parseDouble(t);
        }
        return null;
    }

    /** The 64-bit value of an integral number, or {@code null}. Values above 2^63−1 become unsigned bits. */
    private static Long integral(Object value) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof BigInteger big) {
            return big.compareTo(LONG_MIN) >= 0 && big.compareTo(InputSpec.UINT64_MAX) <= 0 ? big.longValue() : null;
        }
        if (value instanceof Double d && !d.isInfinite() && d == Math.rint(d)) {
            return integral(new java.math.BigDecimal(d).toBigInteger());
        }
        return null;
    }

    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        String text = value instanceof String s ? '"' + s + '"' : String.valueOf(value);
        if (text.length() > 80) {
            text = text.substring(0, 77) + "...";
        }
        String kind = value instanceof String ? "text" : value instanceof Boolean ? "a boolean"
                : value instanceof Number ? "a number" : value instanceof java.util.List ? "an array" : "an object";
        return kind + " " + text;
    }
}
