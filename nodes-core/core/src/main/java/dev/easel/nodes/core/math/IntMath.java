package dev.easel.nodes.core.math;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;

/**
 * Easel's integer arithmetic on two INTs (ComfyUI has no core equivalent). Division and modulo follow Python's
 * {@code //} and {@code %} (rounding toward negative infinity), so workflows behave as their authors expect from
 * Python; results that do not fit in 64 bits are errors instead of silently wrapping around.
 */
public final class IntMath implements Node {

    private static final long SYS_MAXSIZE = Long.MAX_VALUE;

    private static final NodeSchema SCHEMA = NodeSchema.builder("IntMath")
            .displayName("Int Math")
            .category(MathNodes.CATEGORY)
            .required(InputSpec.integer("a").defaultValue(0L).min(-SYS_MAXSIZE).max(SYS_MAXSIZE))
            .required(InputSpec.integer("b").defaultValue(0L).min(-SYS_MAXSIZE).max(SYS_MAXSIZE))
            .required(InputSpec.combo("operation", MathOperation.labels()).defaultValue("add"))
            .output(InputSpec.INT)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        MathOperation op = MathOperation.of(inputs.getString("operation"));
        return NodeOutput.of(apply(op, inputs.getLong("a"), inputs.getLong("b")));
    }

    static long apply(MathOperation op, long a, long b) {
        try {
            return switch (op) {
                case ADD -> Math.addExact(a, b);
                case SUBTRACT -> Math.subtractExact(a, b);
                case MULTIPLY -> Math.multiplyExact(a, b);
                case DIVIDE -> floorDivideExact(a, nonZero(b, op));
                case MODULO -> Math.floorMod(a, nonZero(b, op));
                case POWER -> power(a, b);
                case MIN -> Math.min(a, b);
                case MAX -> Math.max(a, b);
            };
        } catch (ArithmeticException overflow) {
            throw new ArithmeticException("the result of " + a + " " + op.label() + " " + b
                    + " does not fit in a 64-bit INT");
        }
    }

    private static long nonZero(long b, MathOperation op) {
        if (b == 0) {
            throw new IllegalArgumentException("division by zero in " + op.label() + ": input 'b' is 0");
        }
        return b;
    }

    private static long floorDivideExact(long a, long b) {
        if (a == Long.MIN_VALUE && b == -1) {
            throw new ArithmeticException("overflow");
        }
        return Math.floorDiv(a, b);
    }

    /** Exponentiation by squaring, failing on overflow. */
    private static long power(long base, long exponent) {
        if (exponent < 0) {
            throw new IllegalArgumentException("input 'b' must not be negative for an INT power (got " + exponent
                    + "); use FloatMath for fractional results");
        }
        long result = 1;
        long factor = base;
        long e = exponent;
        while (e > 0) {
            if ((e & 1) == 1) {
                result = Math.multiplyExact(result, factor);
            }
            e >>= 1;
            if (e > 0) {
                factor = Math.multiplyExact(factor, factor);
            }
        }
        return result;
    }
}
