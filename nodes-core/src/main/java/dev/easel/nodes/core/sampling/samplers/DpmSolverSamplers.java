package dev.easel.nodes.core.sampling.samplers;

import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Tensor;

/** DPM-Solver. */
public final class DpmSolverSamplers {

    private DpmSolverSamplers() {
    }

    public static Tensor dpmFast(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("dpmFast: not implemented yet");
    }

    public static Tensor dpmAdaptive(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("dpmAdaptive: not implemented yet");
    }
}
