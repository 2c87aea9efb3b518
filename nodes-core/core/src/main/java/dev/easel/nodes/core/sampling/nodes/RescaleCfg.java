package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.sampling.guidance.RescaledCfg;
import dev.easel.nodes.core.sd.DiffusionModel;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.ScopeHandOver;

/** The model with rescaled classifier-free guidance (ComfyUI's RescaleCFG; see {@link RescaledCfg}). */
public final class RescaleCfg implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("RescaleCFG")
            .displayName("RescaleCFG")
            .category("advanced/model")
            .required(InputSpec.of("model", ValueTypes.MODEL))
            .required(InputSpec.number("multiplier").defaultValue(0.7).min(0.0).max(1.0).step(0.01))
            .output(ValueTypes.MODEL)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        DiffusionModel model = inputs.get("model", DiffusionModel.class);
        return NodeOutput.of(ScopeHandOver.toScope(
                model.withCfgFunction(new RescaledCfg(inputs.getDouble("multiplier")))));
    }
}
