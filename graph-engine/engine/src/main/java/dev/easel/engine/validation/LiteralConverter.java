package dev.easel.engine.validation;

import dev.easel.node.InputSpec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Converts a JSON literal to the type its input declares, strictly: an INT must be integral (8 and 8.0 and "8" are
 * fine, 8.5 and "eight" are not), a FLOAT must be a finite number, a BOOLEAN is true/false (or 0/1). Numbers become
 * strings for STRING inputs, as ComfyUI does.
 */
final class LiteralConverter {

    /** A value that cannot be converted; the message says why. */
    static final class ConversionException extends Exception {
        ConversionException(String message) {
            super(message, null, false, false);
        }
    }

    private LiteralConverter() {
    }

    /** An INT literal as an exact integer, before range checks. */
    static BigInteger toInteger(Object raw) throws ConversionException {
        if (raw instanceof Long || raw instanceof Integer) {
            return BigInteger.valueOf(((Number) raw).longValue());
        }
        if (raw instanceof BigInteger big) {
            return big;
        }
        if (raw instanceof Double d) {
            return integralDecimal(BigDecimal.valueOf(d), raw);
        }
        if (raw instanceof String s) {
            try {
                return integralDecimal(new BigDecimal(s.trim()), raw);
            } catch (NumberFormatException e) {
                throw new ConversionException("'" + s + "' is not an integer");
            }
        }
        throw new ConversionException(describe(raw) + " is not an integer");
    }

    private static BigInteger integralDecimal(BigDecimal d, Object raw) throws ConversionException {
        try {
            return d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw new ConversionException(raw + " is not a whole number");
        }
    }

    /**
     * The runtime form of an INT: a signed long, or for unsigned inputs (max above 2^63−1) the unsigned bits.
     */
    static long toLong(BigInteger value, InputSpec spec) throws ConversionException {
        if (value.bitLength() < 64) {
            return value.longValue();
        }
        if (spec.isUnsigned() && value.signum() > 0 && value.compareTo(InputSpec.UINT64_MAX) <= 0) {
            return value.longValue();
        }
        throw new ConversionException(value + " does not fit in 64 bits");
    }

    static double toDouble(Object raw) throws ConversionException {
        double d;
        if (raw instanceof Number n) {
            d = n.doubleValue();
        } else if (raw instanceof String s) {
            try {
                d = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw new ConversionException("'" + s + "' is not a number");
            }
        } else {
            throw new ConversionException(describe(raw) + " is not a number");
        }
        if (!Double.isFinite(d)) {
            throw new ConversionException(raw + " is not a finite number");
        }
        return d;
    }

    static String toText(Object raw) throws ConversionException {
        if (raw instanceof String s) {
            return s;
        }
        if (raw instanceof Number || raw instanceof Boolean) {
            return raw.toString();
        }
        throw new ConversionException(describe(raw) + " is not text");
    }

    static boolean toBoolean(Object raw) throws ConversionException {
        if (raw instanceof Boolean b) {
            return b;
        }
        if (raw instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        if (raw instanceof Long l && (l == 0 || l == 1)) {
            return l == 1;
        }
        throw new ConversionException(describe(raw) + " is not a boolean");
    }

    /** A COMBO choice as the string the options list holds. */
    static String toChoice(Object raw) throws ConversionException {
        if (raw instanceof String s) {
            return s;
        }
        if (raw instanceof Number || raw instanceof Boolean) {
            return raw.toString();
        }
        throw new ConversionException(describe(raw) + " is not a choice");
    }

    static String describe(Object raw) {
        if (raw == null) {
            return "null";
        }
        if (raw instanceof List) {
            return "a list";
        }
        if (raw instanceof Map) {
            return "an object";
        }
        return raw instanceof String ? "'" + raw + "'" : raw.toString();
    }
}
