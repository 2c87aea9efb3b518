package dev.easel.plugins.template;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import java.util.List;

/** A text node: greets a name, with a COMBO choice of greeting and an optional exclamation. */
public final class Greeting implements Node {

    static final List<String> GREETINGS = List.of("Hello", "Bonjour", "Hallo", "Hola");

    private static final NodeSchema SCHEMA = NodeSchema.builder("TemplateGreeting")
            .displayName("Greeting (template)")
            .category("template")
            .description("Greets someone: \"<greeting>, <name>\" and an optional \"!\".")
            .required(InputSpec.string("name").defaultValue("world").tooltip("Who to greet"))
            .required(InputSpec.combo("greeting", GREETINGS))
            .optional(InputSpec.bool("exclaim").defaultValue(true))
            .output(InputSpec.STRING, "text")
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        String name = inputs.getString("name").strip();
        if (name.isEmpty()) {
            // The engine reports this with the node's id, type and pack, and stops the run.
            throw new IllegalArgumentException("name is empty");
        }
        boolean exclaim = inputs.getOr("exclaim", Boolean.class, true);
        return NodeOutput.of(inputs.getString("greeting") + ", " + name + (exclaim ? "!" : ""));
    }
}
