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
import dev.easel.nodes.core.sampling.guidance.Guider;
import dev.easel.nodes.core.value.Latent;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;

/** Sampling from NOISE, GUIDER, SAMPLER and SIGMAS values (ComfyUI's SamplerCustomAdvanced). */
public final class SamplerCustomAdvanced implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("SamplerCustomAdvanced")
            .displayName("SamplerCustomAdvanced")
            .category("sampling/custom_sampling")
            .required(InputSpec.of("noise", SamplingTypes.NOISE))
            .required(InputSpec.of("guider", SamplingTypes.GUIDER))
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
        LatentSampling.Sampled result = LatentSampling.sample(inputs.get("guider", Guider.class),
                inputs.get("sampler", SamplerInfo.class), Sigmas.values(inputs.get("sigmas", TensorRef.class)),
                inputs.get("latent_image", Latent.class), inputs.get("noise", Noise.class), context);
        return NodeOutput.of(result.output(), result.denoised());
    }
}
