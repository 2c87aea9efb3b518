package dev.easel.nodes.core.primitive;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import java.util.List;

/**
 * ComfyUI's primitive nodes (comfy_extras/nodes_primitive.py): one widget named {@code value} whose value becomes the
 * node's only output, so a constant can feed several nodes.
 */
public final class PrimitiveNode implements Node {

    /** ComfyUI bounds its INT and FLOAT primitives by Python's {@code sys.maxsize}. */
    private static final long SYS_MAXSIZE = Long.MAX_VALUE;

    private static final String CATEGORY = "utils/primitive";

    private final NodeSchema schema;

    private PrimitiveNode(String name, String displayName, InputSpec.Builder value, String outputType) {
        this.schema = NodeSchema.builder(name)
                .displayName(displayName)
                .category(CATEGORY)
                .required(value)
                .output(outputType)
                .build();
    }

    /** The five primitives in ComfyUI's order. */
    public static List<Node> all() {
        return List.of(string(), multilineString(), integer(), number(), bool());
    }

    public static PrimitiveNode string() {
        return new PrimitiveNode("PrimitiveString", "String", InputSpec.string("value"), InputSpec.STRING);
    }

    public static PrimitiveNode multilineString() {
        return new PrimitiveNode("PrimitiveStringMultiline", "String (Multiline)",
                InputSpec.string("value").multiline(), InputSpec.STRING);
    }

    public static PrimitiveNode integer() {
        return new PrimitiveNode("PrimitiveInt", "Int",
                InputSpec.integer("value").min(-SYS_MAXSIZE).max(SYS_MAXSIZE).controlAfterGenerate(), InputSpec.INT);
    }

    public static PrimitiveNode number() {
        return new PrimitiveNode("PrimitiveFloat", "Float",
                InputSpec.number("value").min((double) -SYS_MAXSIZE).max((double) SYS_MAXSIZE).step(0.1),
                InputSpec.FLOAT);
    }

    public static PrimitiveNode bool() {
        return new PrimitiveNode("PrimitiveBoolean", "Boolean", InputSpec.bool("value"), InputSpec.BOOLEAN);
    }

    @Override
    public NodeSchema schema() {
        return schema;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        String type = schema.outputs().get(0).type();
        Object value = switch (type) {
            case InputSpec.INT -> inputs.getLong("value");
            case InputSpec.FLOAT -> inputs.getDouble("value");
            case InputSpec.BOOLEAN -> inputs.getBoolean("value");
            default -> inputs.getString("value");
        };
        return NodeOutput.of(value);
    }
}
