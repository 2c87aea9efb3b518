package dev.easel.nodes.core.string;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;

/** {@code string_a + delimiter + string_b} (ComfyUI's StringConcatenate, comfy_extras/nodes_string.py). */
public final class StringConcatenate implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("StringConcatenate")
            .displayName("Concatenate")
            .category(StringNodes.CATEGORY)
            .required(InputSpec.string("string_a").multiline())
            .required(InputSpec.string("string_b").multiline())
            .required(InputSpec.string("delimiter").defaultValue(""))
            .output(InputSpec.STRING)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        String delimiter = inputs.getString("delimiter");
        return NodeOutput.of(inputs.getString("string_a") + delimiter + inputs.getString("string_b"));
    }
}
