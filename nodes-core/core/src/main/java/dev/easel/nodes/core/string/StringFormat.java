package dev.easel.nodes.core.string;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.pycompat.PythonText;
import java.util.List;

/**
 * Easel's StringFormat: fills {@code {a}}, {@code {b}} and {@code {c}} in a template with the values of the optional
 * inputs of the same names (any type, written as Python's {@code str()} would). <code>{{</code> and
 * <code>}}</code> stand for literal braces, as in Python's {@code str.format}. A placeholder whose input is not
 * connected is an error naming it, rather than silently left in the text.
 */
public final class StringFormat implements Node {

    static final List<String> PLACEHOLDERS = List.of("a", "b", "c");

    private static final NodeSchema SCHEMA = buildSchema();

    private static NodeSchema buildSchema() {
        NodeSchema.Builder b = NodeSchema.builder("StringFormat")
                .displayName("Format")
                .category(StringNodes.CATEGORY)
                .description("Fills {a}, {b} and {c} in the template with the connected values; {{ and }} are"
                        + " literal braces.")
                .required(InputSpec.string("template").multiline().defaultValue("{a}"));
        for (String name : PLACEHOLDERS) {
            b.optional(InputSpec.of(name, InputSpec.ANY));
        }
        return b.output(InputSpec.STRING).build();
    }

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        return NodeOutput.of(format(inputs.getString("template"), inputs));
    }

    static String format(String template, NodeInputs values) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '}') {
                if (!template.startsWith("}}", i)) {
                    throw new IllegalArgumentException("unmatched '}' at position " + i
                            + " of 'template' (write }} for a literal brace)");
                }
                out.append('}');
                i += 2;
            } else if (c == '{') {
                if (template.startsWith("{{", i)) {
                    out.append('{');
                    i += 2;
                    continue;
                }
                int close = template.indexOf('}', i);
                if (close < 0) {
                    throw new IllegalArgumentException("unmatched '{' at position " + i
                            + " of 'template' (write {{ for a literal brace)");
                }
                out.append(valueOf(template.substring(i + 1, close), values));
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String valueOf(String placeholder, NodeInputs values) {
        if (!PLACEHOLDERS.contains(placeholder)) {
            throw new IllegalArgumentException("unknown placeholder {" + placeholder + "} in 'template': the"
                    + " placeholders are {a}, {b} and {c} (write {{ and }} for literal braces)");
        }
        if (!values.has(placeholder)) {
            throw new IllegalArgumentException("placeholder {" + placeholder + "} has no value: connect input '"
                    + placeholder + "'");
        }
        return PythonText.str(values.get(placeholder));
    }
}
