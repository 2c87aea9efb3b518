package dev.easel.nodes.core.sampling.samplers;

import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Tensor;

/** SA-Solver. */
public final class SaSolverSamplers {

    private SaSolverSamplers() {
    }

    public static Tensor saSolver(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("saSolver: not implemented yet");
    }

    public static Tensor saSolverPece(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("saSolverPece: not implemented yet");
    }
}
