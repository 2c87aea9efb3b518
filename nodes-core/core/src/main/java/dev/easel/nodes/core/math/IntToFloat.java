package dev.easel.nodes.core.math;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;

/** Easel's INT to FLOAT conversion (exact up to 2^53, the nearest double beyond). */
public final class IntToFloat implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("IntToFloat")
            .displayName("Int to Float")
            .category(MathNodes.CATEGORY)
            .required(InputSpec.integer("value").forceInput())
            .output(InputSpec.FLOAT)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        return NodeOutput.of((double) inputs.getLong("value"));
    }
}
