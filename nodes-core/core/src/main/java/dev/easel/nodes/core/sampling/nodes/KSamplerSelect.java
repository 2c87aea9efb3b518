package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.sampling.Samplers;

/** A SAMPLER by name (ComfyUI's KSamplerSelect). */
public final class KSamplerSelect implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("KSamplerSelect")
            .displayName("KSamplerSelect")
            .category("sampling/custom_sampling/samplers")
            .required(InputSpec.combo("sampler_name", Samplers.names()))
            .output(SamplingTypes.SAMPLER)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        return NodeOutput.of(Samplers.get(inputs.getString("sampler_name")));
    }
}
