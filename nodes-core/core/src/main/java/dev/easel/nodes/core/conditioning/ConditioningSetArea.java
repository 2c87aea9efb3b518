package dev.easel.nodes.core.conditioning;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.ValueTypes;
import java.util.List;

/**
 * Limits conditioning to a rectangle of the image (ComfyUI's ConditioningSetArea). The area is stored in latent
 * units as ComfyUI does: {@code area = [height/8, width/8, y/8, x/8]}, with {@code strength} and
 * {@code set_area_to_bounds = false}; the sampler applies it.
 */
public final class ConditioningSetArea implements Node {

    private static final long MAX_RESOLUTION = 16384;

    private static final NodeSchema SCHEMA = NodeSchema.builder("ConditioningSetArea")
            .displayName("Conditioning (Set Area)")
            .category("conditioning")
            .required(InputSpec.of("conditioning", ValueTypes.CONDITIONING))
            .required(InputSpec.integer("width").defaultValue(64L).min(64).max(MAX_RESOLUTION).step(8))
            .required(InputSpec.integer("height").defaultValue(64L).min(64).max(MAX_RESOLUTION).step(8))
            .required(InputSpec.integer("x").defaultValue(0L).min(0).max(MAX_RESOLUTION).step(8))
            .required(InputSpec.integer("y").defaultValue(0L).min(0).max(MAX_RESOLUTION).step(8))
            .required(InputSpec.number("strength").defaultValue(1.0).min(0.0).max(10.0).step(0.01))
            .output(ValueTypes.CONDITIONING)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        Conditioning conditioning = inputs.get("conditioning", Conditioning.class);
        List<Long> area = List.of(inputs.getLong("height") / 8, inputs.getLong("width") / 8,
                inputs.getLong("y") / 8, inputs.getLong("x") / 8);
        double strength = inputs.getDouble("strength");
        return NodeOutput.of(Conditioning.of(conditioning.entries().stream()
                .map(e -> e.with("area", area).with("strength", strength).with("set_area_to_bounds", false))
                .toList()));
    }
}
