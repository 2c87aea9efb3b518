package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.sd.DiffusionModel;
import dev.easel.nodes.core.value.ValueTypes;

/**
 * The few-step schedule of SD-Turbo / SDXL-Turbo (adversarial diffusion distillation, Sauer et al. 2023): σ at
 * timesteps 999, 899, …, starting lower for denoise < 1, then 0 (ComfyUI's SDTurboScheduler).
 */
public final class SdTurboScheduler implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("SDTurboScheduler")
            .displayName("SDTurboScheduler")
            .category("sampling/custom_sampling/schedulers")
            .required(InputSpec.of("model", ValueTypes.MODEL))
            .required(InputSpec.integer("steps").defaultValue(1L).min(1).max(10))
            .required(InputSpec.number("denoise").defaultValue(1.0).min(0.0).max(1.0).step(0.01))
            .output(SamplingTypes.SIGMAS)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        DiffusionModel model = inputs.get("model", DiffusionModel.class);
        return NodeOutput.of(Sigmas.of(sigmas(model, inputs.getInt("steps"), inputs.getDouble("denoise"))));
    }

    static double[] sigmas(DiffusionModel model, int steps, double denoise) {
        int start = 10 - (int) (10 * denoise);
        int count = Math.max(0, Math.min(steps, 10 - start));
        double[] out = new double[count + 1];
        for (int i = 0; i < count; i++) {
            int timestep = (10 - (start + i)) * 100 - 1;
            out[i] = model.schedule().sigma(timestep);
        }
        out[count] = 0.0;
        return out;
    }
}
