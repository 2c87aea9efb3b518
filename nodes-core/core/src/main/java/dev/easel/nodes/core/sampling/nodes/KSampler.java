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

/** Denoises a latent with a named sampler and scheduler and classifier-free guidance (ComfyUI's KSampler). */
public final class KSampler implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("KSampler")
            .displayName("KSampler")
            .category("sampling")
            .description("Uses the provided model, positive and negative conditioning to denoise the latent image.")
            .required(InputSpec.of("model", ValueTypes.MODEL).tooltip("The model used for denoising the input latent."))
            .required(SamplingTypes.seed("seed"))
            .required(SamplingTypes.steps())
            .required(SamplingTypes.cfg())
            .required(SamplingTypes.samplerName())
            .required(SamplingTypes.scheduler())
            .required(InputSpec.of("positive", ValueTypes.CONDITIONING)
                    .tooltip("The conditioning describing the attributes you want to include in the image."))
            .required(InputSpec.of("negative", ValueTypes.CONDITIONING)
                    .tooltip("The conditioning describing the attributes you want to exclude from the image."))
            .required(InputSpec.of("latent_image", ValueTypes.LATENT).tooltip("The latent image to denoise."))
            .required(SamplingTypes.denoise())
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
        SamplerInfo sampler = Samplers.get(inputs.getString("sampler_name"));
        double[] sigmas = Schedulers.forKSampler(inputs.getString("scheduler"), model.schedule(),
                inputs.getInt("steps"), inputs.getDouble("denoise"), sampler.discardPenultimate());
        CfgGuider guider = new CfgGuider(model, inputs.get("positive", Conditioning.class),
                inputs.get("negative", Conditioning.class), inputs.getDouble("cfg"));
        try {
            return NodeOutput.of(LatentSampling.sample(guider, sampler, sigmas, inputs.get("latent_image", Latent.class),
                    Noise.random(inputs.getLong("seed")), context).output());
        } finally {
            guider.release();
        }
    }
}
