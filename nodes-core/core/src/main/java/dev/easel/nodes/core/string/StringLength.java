package dev.easel.nodes.core.string;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.pycompat.PythonStrings;

/** Python's {@code len(string)}, in code points (ComfyUI's StringLength). */
public final class StringLength implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("StringLength")
            .displayName("Length")
            .category(StringNodes.CATEGORY)
            .required(InputSpec.string("string").multiline())
            .output(InputSpec.INT, "length")
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        return NodeOutput.of(PythonStrings.length(inputs.getString("string")));
    }
}
