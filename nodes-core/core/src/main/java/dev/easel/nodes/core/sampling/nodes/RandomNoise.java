package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.sampling.Noise;

/** NOISE from a seed (ComfyUI's RandomNoise). */
public final class RandomNoise implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("RandomNoise")
            .displayName("RandomNoise")
            .category("sampling/custom_sampling/noise")
            .required(SamplingTypes.seed("noise_seed"))
            .output(SamplingTypes.NOISE)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        return NodeOutput.of(Noise.random(inputs.getLong("noise_seed")));
    }
}
