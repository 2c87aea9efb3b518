package dev.easel.plugins.template;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;

/** An INT node: {@code a * b + c}, failing clearly on overflow instead of wrapping around. */
public final class MultiplyAdd implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("TemplateMultiplyAdd")
            .displayName("Multiply Add (template)")
            .category("template")
            .description("a × b + c on 64-bit integers.")
            .required(InputSpec.integer("a").defaultValue(2L).min(-1_000_000).max(1_000_000))
            .required(InputSpec.integer("b").defaultValue(3L).min(-1_000_000).max(1_000_000))
            .required(InputSpec.integer("c").defaultValue(1L))
            .output(InputSpec.INT, "result")
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        long product = Math.multiplyExact(inputs.getLong("a"), inputs.getLong("b"));
        return NodeOutput.of(Math.addExact(product, inputs.getLong("c")));
    }
}
