package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.sampling.schedule.Schedulers;

/** A σ schedule uniform in ln σ between explicit bounds (ComfyUI's ExponentialScheduler). */
public final class ExponentialScheduler implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("ExponentialScheduler")
            .displayName("ExponentialScheduler")
            .category("sampling/custom_sampling/schedulers")
            .required(SamplingTypes.steps())
            .required(InputSpec.number("sigma_max").defaultValue(14.614642).min(0.0).max(5000.0).step(0.01)
                    .option("round", false))
            .required(InputSpec.number("sigma_min").defaultValue(0.0291675).min(0.0).max(5000.0).step(0.01)
                    .option("round", false))
            .output(SamplingTypes.SIGMAS)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        return NodeOutput.of(Sigmas.of(Schedulers.exponential(inputs.getInt("steps"), inputs.getDouble("sigma_min"),
                inputs.getDouble("sigma_max"))));
    }
}
