package dev.easel.nodes.core.math;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The operations of {@link IntMath} and {@link FloatMath}, named as their COMBO shows them. */
enum MathOperation {
    ADD, SUBTRACT, MULTIPLY, DIVIDE, MODULO, POWER, MIN, MAX;

    /** The COMBO choices, in declaration order. */
    static List<String> labels() {
        return Arrays.stream(values()).map(MathOperation::label).toList();
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The operation a COMBO value names (validated by the engine against {@link #labels()}). */
    static MathOperation of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
