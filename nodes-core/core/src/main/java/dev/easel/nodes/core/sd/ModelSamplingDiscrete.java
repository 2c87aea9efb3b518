package dev.easel.nodes.core.sd;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import dev.easel.nodes.core.unet.Parameterization;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.ScopeHandOver;
import java.util.Arrays;

/**
 * ComfyUI's ModelSamplingDiscrete: overrides what the model predicts (ε, v or x0; needed for v-prediction files the
 * loader cannot recognise; {@code lcm} for latent consistency models and LCM-LoRAs, on the distilled 50-step schedule)
 * and optionally rescales the noise schedule to zero terminal SNR (models trained that way).
 * The model's weights are shared.
 */
public final class ModelSamplingDiscrete implements Node {

    /** The timesteps an LCM was distilled onto (the LCM papers' and the reference's 50). */
    static final int LCM_ORIGINAL_STEPS = 50;

    private static final NodeSchema SCHEMA = NodeSchema.builder("ModelSamplingDiscrete")
            .displayName("ModelSamplingDiscrete")
            .category("advanced/model")
            .required(InputSpec.of("model", ValueTypes.MODEL))
            .required(InputSpec.combo("sampling", Arrays.stream(Parameterization.values())
                    .map(Parameterization::id).toList()))
            .required(InputSpec.bool("zsnr").defaultValue(false))
            .output(ValueTypes.MODEL)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        DiffusionModel model = inputs.get("model", DiffusionModel.class);
        Parameterization parameterization = Parameterization.of(inputs.getString("sampling"));
        boolean zsnr = inputs.getBoolean("zsnr");
        DiscreteSchedule schedule = zsnr ? DiscreteSchedule.sd1().withZeroTerminalSnr() : DiscreteSchedule.sd1();
        if (parameterization == Parameterization.LCM) {
            schedule = schedule.distilled(LCM_ORIGINAL_STEPS);
        }
        return NodeOutput.of(ScopeHandOver.toScope(model.withSampling(parameterization, schedule,
                parameterization.id() + (zsnr ? "+zsnr" : ""))));
    }
}
