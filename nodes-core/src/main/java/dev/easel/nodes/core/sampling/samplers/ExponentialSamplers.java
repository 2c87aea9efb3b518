package dev.easel.nodes.core.sampling.samplers;

import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Tensor;

/** Exponential integrators. */
public final class ExponentialSamplers {

    private ExponentialSamplers() {
    }

    public static Tensor expHeun2X0(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("expHeun2X0: not implemented yet");
    }

    public static Tensor expHeun2X0Sde(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("expHeun2X0Sde: not implemented yet");
    }

    public static Tensor resMultistep(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("resMultistep: not implemented yet");
    }

    public static Tensor resMultistepCfgPp(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("resMultistepCfgPp: not implemented yet");
    }

    public static Tensor resMultistepAncestral(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("resMultistepAncestral: not implemented yet");
    }

    public static Tensor resMultistepAncestralCfgPp(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("resMultistepAncestralCfgPp: not implemented yet");
    }

    public static Tensor gradientEstimation(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("gradientEstimation: not implemented yet");
    }

    public static Tensor gradientEstimationCfgPp(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("gradientEstimationCfgPp: not implemented yet");
    }

    public static Tensor erSde(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("erSde: not implemented yet");
    }

    public static Tensor seeds2(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("seeds2: not implemented yet");
    }

    public static Tensor seeds3(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("seeds3: not implemented yet");
    }
}
