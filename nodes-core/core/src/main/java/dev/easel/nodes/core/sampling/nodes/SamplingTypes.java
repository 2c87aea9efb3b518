package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.InputSpec;
import dev.easel.nodes.core.sampling.Samplers;
import dev.easel.nodes.core.sampling.schedule.Schedulers;

/** The socket types and the input specs the sampling nodes share. */
final class SamplingTypes {

    /** A {@code SamplerInfo}. */
    static final String SAMPLER = "SAMPLER";
    /** A 1-D float32 tensor of σ values ({@code TensorRef}). */
    static final String SIGMAS = "SIGMAS";
    /** A {@code Noise}. */
    static final String NOISE = "NOISE";
    /** A {@code CfgGuider}. */
    static final String GUIDER = "GUIDER";

    private SamplingTypes() {
    }

    static InputSpec.Builder seed(String name) {
        return InputSpec.integer(name).defaultValue(0L).min(0).max(InputSpec.UINT64_MAX).controlAfterGenerate()
                .tooltip("The random seed used for creating the noise.");
    }

    static InputSpec.Builder steps() {
        return InputSpec.integer("steps").defaultValue(20L).min(1).max(10000)
                .tooltip("The number of steps used in the denoising process.");
    }

    static InputSpec.Builder cfg() {
        return InputSpec.number("cfg").defaultValue(8.0).min(0.0).max(100.0).step(0.1).round(0.01)
                .tooltip("The Classifier-Free Guidance scale balances creativity and adherence to the prompt.");
    }

    static InputSpec.Builder samplerName() {
        return InputSpec.combo("sampler_name", Samplers.names())
                .tooltip("The algorithm used when sampling.");
    }

    static InputSpec.Builder scheduler() {
        return InputSpec.combo("scheduler", Schedulers.names())
                .tooltip("The scheduler controls how noise is gradually removed to form the image.");
    }

    static InputSpec.Builder denoise() {
        return InputSpec.number("denoise").defaultValue(1.0).min(0.0).max(1.0).step(0.01)
                .tooltip("The amount of denoising applied, lower values will maintain the structure of the initial "
                        + "image allowing for image to image sampling.");
    }
}
