package dev.easel.nodes.core.sampling.samplers;

import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Tensor;

/** UniPC. */
public final class UniPcSamplers {

    private UniPcSamplers() {
    }

    public static Tensor uniPc(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("uniPc: not implemented yet");
    }

    public static Tensor uniPcBh2(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("uniPcBh2: not implemented yet");
    }
}
