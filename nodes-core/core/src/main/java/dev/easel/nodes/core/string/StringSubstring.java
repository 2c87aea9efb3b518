package dev.easel.nodes.core.string;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.pycompat.PythonStrings;

/** Python's {@code string[start:end]} (ComfyUI's StringSubstring): negative indices count from the end. */
public final class StringSubstring implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("StringSubstring")
            .displayName("Substring")
            .category(StringNodes.CATEGORY)
            .required(InputSpec.string("string").multiline())
            .required(InputSpec.integer("start"))
            .required(InputSpec.integer("end"))
            .output(InputSpec.STRING)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        return NodeOutput.of(PythonStrings.slice(inputs.getString("string"), inputs.getLong("start"),
                inputs.getLong("end")));
    }
}
