package dev.easel.nodes.core.sampling.samplers;

import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Tensor;

/** DDPM and LCM. */
public final class StochasticSamplers {

    private StochasticSamplers() {
    }

    public static Tensor ddpm(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("ddpm: not implemented yet");
    }

    public static Tensor lcm(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("lcm: not implemented yet");
    }
}
