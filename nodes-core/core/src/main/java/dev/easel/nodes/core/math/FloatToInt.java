package dev.easel.nodes.core.math;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.pycompat.PythonText;
import java.util.List;

/**
 * Easel's FLOAT to INT conversion. {@code truncate} is Python's {@code int(x)}; {@code round} is Python's
 * {@code round(x)}, which rounds halves to the even neighbour.
 */
public final class FloatToInt implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("FloatToInt")
            .displayName("Float to Int")
            .category(MathNodes.CATEGORY)
            .required(InputSpec.number("value").forceInput())
            .required(InputSpec.combo("rounding", List.of("truncate", "round", "floor", "ceil"))
                    .defaultValue("truncate")
                    .tooltip("truncate drops the fraction (Python's int); round goes to the nearest integer, halves"
                            + " to even (Python's round)."))
            .output(InputSpec.INT)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        double value = inputs.getDouble("value");
        double rounded = switch (inputs.getString("rounding")) {
            case "round" -> Math.rint(value);
            case "floor" -> Math.floor(value);
            case "ceil" -> Math.ceil(value);
            default -> value < 0 ? Math.ceil(value) : Math.floor(value);
        };
        // 2^63 is the first double above the INT range; every double below it converts exactly.
        if (!(rounded >= -0x1p63 && rounded < 0x1p63)) {
            throw new ArithmeticException("input 'value' (" + PythonText.floatRepr(value)
                    + ") does not fit in a 64-bit INT");
        }
        return NodeOutput.of((long) rounded);
    }
}
