package dev.easel.nodes.core.sd;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.ScopeHandOver;

/** Takes CLIP's conditioning from an earlier layer, "clip skip" (ComfyUI's CLIPSetLastLayer). */
public final class ClipSetLastLayer implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("CLIPSetLastLayer")
            .displayName("CLIP Set Last Layer")
            .category("conditioning")
            .required(InputSpec.of("clip", ValueTypes.CLIP))
            .required(InputSpec.integer("stop_at_clip_layer").defaultValue(-1L).min(-24).max(-1).step(1))
            .output(ValueTypes.CLIP)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        ClipModel clip = inputs.get("clip", ClipModel.class);
        return NodeOutput.of(ScopeHandOver.toScope(clip.withLayer(inputs.getInt("stop_at_clip_layer"))));
    }
}
