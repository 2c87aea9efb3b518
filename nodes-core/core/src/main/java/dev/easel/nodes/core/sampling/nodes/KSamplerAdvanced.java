package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.sampling.LatentSampling;
import dev.easel.nodes.core.sampling.Noise;
import dev.easel.nodes.core.sampling.SamplerInfo;
import dev.easel.nodes.core.sampling.Samplers;
import dev.easel.nodes.core.sampling.guidance.CfgGuider;
import dev.easel.nodes.core.sampling.schedule.Schedulers;
import dev.easel.nodes.core.sd.DiffusionModel;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.Latent;
import dev.easel.nodes.core.value.ValueTypes;
import java.util.Arrays;
import java.util.List;

/**
 * KSampler over a window of the schedule (ComfyUI's KSamplerAdvanced): steps start_at_step..end_at_step of a full
 * schedule, optionally without adding noise (continuing a latent that already has it) and optionally leaving the rest
 * of the noise in the result (for a second sampler to finish).
 */
public final class KSamplerAdvanced implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("KSamplerAdvanced")
            .displayName("KSampler (Advanced)")
            .category("sampling")
            .required(InputSpec.of("model", ValueTypes.MODEL))
            .required(InputSpec.combo("add_noise", List.of("enable", "disable")))
            .required(SamplingTypes.seed("noise_seed"))
            .required(SamplingTypes.steps())
            .required(SamplingTypes.cfg())
            .required(SamplingTypes.samplerName())
            .required(SamplingTypes.scheduler())
            .required(InputSpec.of("positive", ValueTypes.CONDITIONING))
            .required(InputSpec.of("negative", ValueTypes.CONDITIONING))
            .required(InputSpec.of("latent_image", ValueTypes.LATENT))
            .required(InputSpec.integer("start_at_step").defaultValue(0L).min(0).max(10000))
            .required(InputSpec.integer("end_at_step").defaultValue(10000L).min(0).max(10000))
            .required(InputSpec.combo("return_with_leftover_noise", List.of("disable", "enable")))
            .output(ValueTypes.LATENT)
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        DiffusionModel model = inputs.get("model", DiffusionModel.class);
        Latent latent = inputs.get("latent_image", Latent.class);
        SamplerInfo sampler = Samplers.get(inputs.getString("sampler_name"));
        double[] full = Schedulers.forKSampler(inputs.getString("scheduler"), model.schedule(),
                inputs.getInt("steps"), 1.0, sampler.discardPenultimate());
        double[] sigmas = window(full, inputs.getInt("start_at_step"), inputs.getInt("end_at_step"),
                !"enable".equals(inputs.getString("return_with_leftover_noise")));
        if (sigmas == null) {
            return NodeOutput.of(latent);
        }
        long seed = inputs.getLong("noise_seed");
        Noise noise = "disable".equals(inputs.getString("add_noise")) ? Noise.disabled(seed) : Noise.random(seed);
        CfgGuider guider = new CfgGuider(model, inputs.get("positive", Conditioning.class),
                inputs.get("negative", Conditioning.class), inputs.getDouble("cfg"));
        try {
            return NodeOutput.of(LatentSampling.sample(guider, sampler, sigmas, latent, noise, context).output());
        } finally {
            guider.release();
        }
    }

    /**
     * The part of the schedule from {@code start} to {@code end}; with {@code fullDenoise} a schedule cut short still
     * ends at 0. Null when {@code start} is at or past the last step (nothing to do: the latent passes through).
     */
    static double[] window(double[] sigmas, int start, int end, boolean fullDenoise) {
        double[] s = sigmas;
        if (end < s.length - 1) {
            s = Arrays.copyOf(s, end + 1);
            if (fullDenoise) {
                s[s.length - 1] = 0.0;
            }
        }
        if (start >= s.length - 1) {
            return null;
        }
        return Arrays.copyOfRange(s, start, s.length);
    }
}
