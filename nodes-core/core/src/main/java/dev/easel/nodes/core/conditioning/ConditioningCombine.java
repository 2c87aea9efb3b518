package dev.easel.nodes.core.conditioning;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.ValueTypes;

/** Joins two conditioning lists (ComfyUI's ConditioningCombine): the sampler averages their predictions. */
public final class ConditioningCombine implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("ConditioningCombine")
            .displayName("Conditioning (Combine)")
            .category("conditioning")
            .required(InputSpec.of("conditioning_1", ValueTypes.CONDITIONING))
            .required(InputSpec.of("conditioning_2", ValueTypes.CONDITIONING))
            .output(ValueTypes.CONDITIONING)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        Conditioning a = inputs.get("conditioning_1", Conditioning.class);
        Conditioning b = inputs.get("conditioning_2", Conditioning.class);
        return NodeOutput.of(a.combine(b));
    }
}
