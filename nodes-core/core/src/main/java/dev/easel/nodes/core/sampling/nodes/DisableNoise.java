package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.sampling.Noise;

/** NOISE that adds nothing: the latent is sampled as it is (ComfyUI's DisableNoise; seed 0). */
public final class DisableNoise implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("DisableNoise")
            .displayName("DisableNoise")
            .category("sampling/custom_sampling/noise")
            .output(SamplingTypes.NOISE)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        return NodeOutput.of(Noise.disabled(0L));
    }
}
