package dev.easel.plugins.js;

import java.time.Duration;

/**
 * The bounds of one script evaluation in a {@link JsSandbox}.
 *
 * @param statements     the most JavaScript statements one evaluation may run (GraalVM's statement limit)
 * @param wallTime       the longest one evaluation may take
 * @param allocatedBytes the most bytes the evaluation's thread may allocate. Community GraalVM has no heap limit, so
 *                       this bounds bytes allocated (garbage included), a proxy for the heap a script can fill
 * @param maxResultChars the most characters of text (strings and keys) a result may hold
 * @param maxResultElements the most array elements and object entries a result may hold, in all
 * @param maxResultDepth the deepest nesting of arrays and objects in a result
 * @param maxConsoleChars the most characters of console output kept per evaluation (the rest is dropped)
 */
public record JsLimits(long statements, Duration wallTime, long allocatedBytes, int maxResultChars,
                       int maxResultElements, int maxResultDepth, int maxConsoleChars) {

    public JsLimits {
        if (statements <= 0 || allocatedBytes <= 0 || maxResultChars <= 0 || maxResultElements <= 0
                || maxResultDepth <= 0 || maxConsoleChars < 0 || wallTime == null || wallTime.isNegative()
                || wallTime.isZero()) {
            throw new IllegalArgumentException("JavaScript limits must be positive: " + this);
        }
    }

    /**
     * The limits nodes run under: 10 million statements, 10 seconds, 1 GiB allocated (the interpreter allocates a
     * frame per call, so a busy loop of calls allocates tens of bytes per statement in garbage), results of at most
     * 16 Mi characters, 1 Mi elements and 64 levels, 64 Ki characters of console output.
     */
    public static JsLimits defaults() {
        return new JsLimits(10_000_000L, Duration.ofSeconds(10), 1L << 30, 16 << 20, 1 << 20, 64, 64 << 10);
    }

    public JsLimits withStatements(long value) {
        return new JsLimits(value, wallTime, allocatedBytes, maxResultChars, maxResultElements, maxResultDepth,
                maxConsoleChars);
    }

    public JsLimits withWallTime(Duration value) {
        return new JsLimits(statements, value, allocatedBytes, maxResultChars, maxResultElements, maxResultDepth,
                maxConsoleChars);
    }

    public JsLimits withAllocatedBytes(long value) {
        return new JsLimits(statements, wallTime, value, maxResultChars, maxResultElements, maxResultDepth,
                maxConsoleChars);
    }

    public JsLimits withResultCaps(int chars, int elements, int depth) {
        return new JsLimits(statements, wallTime, allocatedBytes, chars, elements, depth, maxConsoleChars);
    }
}
