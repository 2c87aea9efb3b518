package dev.easel.nodes.core.math;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.pycompat.PythonText;

/**
 * Easel's floating-point arithmetic on two FLOATs (ComfyUI has no core equivalent). Modulo follows Python's
 * {@code %} (the result takes the divisor's sign). Division by zero and results that are not finite numbers (an
 * overflow, or a fractional power of a negative number) are errors, as they are in Python, rather than an infinity
 * or NaN flowing on into the workflow.
 */
public final class FloatMath implements Node {

    private static final double SYS_MAXSIZE = Long.MAX_VALUE;

    private static final NodeSchema SCHEMA = NodeSchema.builder("FloatMath")
            .displayName("Float Math")
            .category(MathNodes.CATEGORY)
            .required(InputSpec.number("a").defaultValue(0.0).min(-SYS_MAXSIZE).max(SYS_MAXSIZE).step(0.001))
            .required(InputSpec.number("b").defaultValue(0.0).min(-SYS_MAXSIZE).max(SYS_MAXSIZE).step(0.001))
            .required(InputSpec.combo("operation", MathOperation.labels()).defaultValue("add"))
            .output(InputSpec.FLOAT)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        MathOperation op = MathOperation.of(inputs.getString("operation"));
        return NodeOutput.of(apply(op, inputs.getDouble("a"), inputs.getDouble("b")));
    }

    static double apply(MathOperation op, double a, double b) {
        double result = switch (op) {
            case ADD -> a + b;
            case SUBTRACT -> a - b;
            case MULTIPLY -> a * b;
            case DIVIDE -> a / nonZero(b, op);
            case MODULO -> pythonModulo(a, nonZero(b, op));
            case POWER -> power(a, b);
            case MIN -> Math.min(a, b);
            case MAX -> Math.max(a, b);
        };
        if (!Double.isFinite(result)) {
            throw new ArithmeticException("the result of " + PythonText.floatRepr(a) + " " + op.label() + " "
                    + PythonText.floatRepr(b) + " is not a finite number");
        }
        return result;
    }

    private static double nonZero(double b, MathOperation op) {
        if (b == 0) {
            throw new IllegalArgumentException("division by zero in " + op.label() + ": input 'b' is 0.0");
        }
        return b;
    }

    /** Python's float {@code a % b}: fmod, moved into the divisor's sign (CPython's float_rem). */
    private static double pythonModulo(double a, double b) {
        double mod = a % b;
        if (mod != 0 && (b < 0) != (mod < 0)) {
            mod += b;
        }
        return mod;
    }

    private static double power(double a, double b) {
        if (a == 0 && b < 0) {
            throw new IllegalArgumentException("cannot raise 0.0 to a negative power: input 'b' is "
                    + PythonText.floatRepr(b));
        }
        return Math.pow(a, b);
    }
}
