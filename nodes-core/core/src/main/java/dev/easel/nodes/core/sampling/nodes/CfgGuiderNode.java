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

/** A GUIDER with classifier-free guidance (ComfyUI's CFGGuider). */
public final class CfgGuiderNode implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("CFGGuider")
            .displayName("CFGGuider")
            .category("sampling/custom_sampling/guiders")
            .required(InputSpec.of("model", ValueTypes.MODEL))
            .required(InputSpec.of("positive", ValueTypes.CONDITIONING))
            .required(InputSpec.of("negative", ValueTypes.CONDITIONING))
            .required(SamplingTypes.cfg())
            .output(SamplingTypes.GUIDER)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        return NodeOutput.of(ScopeHandOver.toScope(new CfgGuider(inputs.get("model", DiffusionModel.class),
                inputs.get("positive", Conditioning.class), inputs.get("negative", Conditioning.class),
                inputs.getDouble("cfg"))));
    }
}
