package dev.easel.nodes.core.sampling.samplers;

import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Tensor;

/** Linear multistep samplers. */
public final class MultistepSamplers {

    private MultistepSamplers() {
    }

    public static Tensor lms(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("lms: not implemented yet");
    }

    public static Tensor ipndm(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("ipndm: not implemented yet");
    }

    public static Tensor ipndmV(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("ipndmV: not implemented yet");
    }

    public static Tensor deis(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("deis: not implemented yet");
    }
}
