package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import dev.easel.nodes.core.sampling.LatentSampling;
import dev.easel.nodes.core.sampling.Noise;
import dev.easel.nodes.core.sampling.SamplerInfo;
import dev.easel.nodes.core.sampling.guidance.CfgGuider;
import dev.easel.nodes.core.sd.DiffusionModel;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.Latent;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;

/** Sampling with a SAMPLER and SIGMAS chosen by other nodes (ComfyUI's SamplerCustom). */
public final class SamplerCustom implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("SamplerCustom")
            .displayName("SamplerCustom")
            .category("sampling/custom_sampling")
            .required(InputSpec.of("model", ValueTypes.MODEL))
            .required(InputSpec.bool("add_noise").defaultValue(true))
            .required(SamplingTypes.seed("noise_seed"))
            .required(SamplingTypes.cfg())
            .required(InputSpec.of("positive", ValueTypes.CONDITIONING))
            .required(InputSpec.of("negative", ValueTypes.CONDITIONING))
            .required(InputSpec.of("sampler", SamplingTypes.SAMPLER))
            .required(InputSpec.of("sigmas", SamplingTypes.SIGMAS))
            .required(InputSpec.of("latent_image", ValueTypes.LATENT))
            .output(OutputSpec.of(ValueTypes.LATENT, "output"))
            .output(OutputSpec.of(ValueTypes.LATENT, "denoised_output"))
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        long seed = inputs.getLong("noise_seed");
        Noise noise = inputs.getBoolean("add_noise") ? Noise.random(seed) : Noise.disabled(seed);
        CfgGuider guider = new CfgGuider(inputs.get("model", DiffusionModel.class),
                inputs.get("positive", Conditioning.class), inputs.get("negative", Conditioning.class),
                inputs.getDouble("cfg"));
        try {
            LatentSampling.Sampled result = LatentSampling.sample(guider, inputs.get("sampler", SamplerInfo.class),
                    Sigmas.values(inputs.get("sigmas", TensorRef.class)), inputs.get("latent_image", Latent.class),
                    noise, context);
            return NodeOutput.of(result.output(), result.denoised());
        } finally {
            guider.release();
        }
    }
}
