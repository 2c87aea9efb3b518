package dev.easel.nodes.core.string;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;

/**
 * Python's {@code string.replace(find, replace)} (ComfyUI's StringReplace): every occurrence, literally; an empty
 * {@code find} inserts {@code replace} between all characters, as in Python.
 */
public final class StringReplace implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("StringReplace")
            .displayName("Replace")
            .category(StringNodes.CATEGORY)
            .required(InputSpec.string("string").multiline())
            .required(InputSpec.string("find").multiline())
            .required(InputSpec.string("replace").multiline())
            .output(InputSpec.STRING)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        return NodeOutput.of(pythonReplace(inputs.getString("string"), inputs.getString("find"),
                inputs.getString("replace")));
    }

    /** Like {@link String#replace}, except that an empty {@code find} steps over code points, not UTF-16 units. */
    static String pythonReplace(String string, String find, String replace) {
        if (!find.isEmpty()) {
            return string.replace(find, replace);
        }
        StringBuilder out = new StringBuilder(replace);
        string.codePoints().forEach(cp -> out.appendCodePoint(cp).append(replace));
        return out.toString();
    }
}
