package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.sampling.guidance.CfgGuider;
import dev.easel.nodes.core.sd.DiffusionModel;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.ScopeHandOver;

/** A GUIDER from one conditioning, without classifier-free guidance (ComfyUI's BasicGuider). */
public final class BasicGuiderNode implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("BasicGuider")
            .displayName("BasicGuider")
            .category("sampling/custom_sampling/guiders")
            .required(InputSpec.of("model", ValueTypes.MODEL))
            .required(InputSpec.of("conditioning", ValueTypes.CONDITIONING))
            .output(SamplingTypes.GUIDER)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        return NodeOutput.of(ScopeHandOver.toScope(CfgGuider.basic(inputs.get("model", DiffusionModel.class),
                inputs.get("conditioning", Conditioning.class))));
    }
}
