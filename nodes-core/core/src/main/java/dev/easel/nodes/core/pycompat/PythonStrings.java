package dev.easel.nodes.core.pycompat;

/**
 * Python's {@code len(s)} and {@code s[start:end]}: counted in Unicode code points (Java counts UTF-16 units, which
 * differ for emoji and other characters outside the Basic Multilingual Plane), with negative indices counting from the
 * end and out-of-range indices clamped.
 */
public final class PythonStrings {

    private PythonStrings() {
    }

    public static long length(String s) {
        return s.codePointCount(0, s.length());
    }

    /** {@code s[start:end]}. */
    public static String slice(String s, long start, long end) {
        long n = length(s);
        long from = clampIndex(start, n);
        long to = clampIndex(end, n);
        if (from >= to) {
            return "";
        }
        int fromUnit = s.offsetByCodePoints(0, (int) from);
        int toUnit = s.offsetByCodePoints(fromUnit, (int) (to - from));
        return s.substring(fromUnit, toUnit);
    }

    private static long clampIndex(long index, long length) {
        if (index < 0) {
            index += length;
        }
        return Math.max(0, Math.min(index, length));
    }
}
