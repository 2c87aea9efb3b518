package dev.easel.nodes.core.output;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.pycompat.PythonJson;
import dev.easel.nodes.core.pycompat.PythonText;
import java.util.List;

/**
 * Shows any value as text in the UI and passes the text on (ComfyUI's PreviewAny, comfy_extras/nodes_preview_any.py):
 * strings as they are, numbers and booleans as Python prints them, plain lists and maps as indented JSON, and
 * anything else (tensors, models) by its description.
 */
public final class PreviewAny implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("PreviewAny")
            .displayName("Preview as Text")
            .category("utilities")
            .required(InputSpec.of("source", InputSpec.ANY))
            .output(InputSpec.STRING)
            .outputNode()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        String text = describe(inputs.get("source"));
        return NodeOutput.of(text).withUi("text", List.of(text));
    }

    static String describe(Object source) {
        if (source == null) {
            return "None";
        }
        if (source instanceof String s) {
            return s;
        }
        if (source instanceof Number || source instanceof Boolean) {
            return PythonText.str(source);
        }
        return PythonJson.isPlain(source) ? PythonJson.dumpsIndented(source) : PythonText.str(source);
    }
}
