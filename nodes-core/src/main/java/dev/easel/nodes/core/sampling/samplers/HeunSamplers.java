package dev.easel.nodes.core.sampling.samplers;

import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Tensor;

/** Heun and DPM-2 samplers. */
public final class HeunSamplers {

    private HeunSamplers() {
    }

    public static Tensor heun(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("heun: not implemented yet");
    }

    public static Tensor heunpp2(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("heunpp2: not implemented yet");
    }

    public static Tensor dpm2(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("dpm2: not implemented yet");
    }

    public static Tensor dpm2Ancestral(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("dpm2Ancestral: not implemented yet");
    }
}
