package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.sampling.schedule.Schedulers;
import dev.easel.nodes.core.sd.DiffusionModel;
import dev.easel.nodes.core.value.ValueTypes;

/** The σ schedule of a named scheduler for a model, as the KSampler computes it (ComfyUI's BasicScheduler). */
public final class BasicScheduler implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("BasicScheduler")
            .displayName("BasicScheduler")
            .category("sampling/custom_sampling/schedulers")
            .required(InputSpec.of("model", ValueTypes.MODEL))
            .required(InputSpec.combo("scheduler", Schedulers.names()))
            .required(SamplingTypes.steps())
            .required(SamplingTypes.denoise())
            .output(SamplingTypes.SIGMAS)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        DiffusionModel model = inputs.get("model", DiffusionModel.class);
        return NodeOutput.of(Sigmas.of(Schedulers.forKSampler(inputs.getString("scheduler"), model.schedule(),
                inputs.getInt("steps"), inputs.getDouble("denoise"), false)));
    }
}
