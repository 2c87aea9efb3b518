package dev.easel.nodes.core.sampling.samplers;

import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Tensor;

/** DPM-Solver++. */
public final class DpmPlusPlusSamplers {

    private DpmPlusPlusSamplers() {
    }

    public static Tensor dpmpp2sAncestral(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("dpmpp2sAncestral: not implemented yet");
    }

    public static Tensor dpmpp2sAncestralCfgPp(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("dpmpp2sAncestralCfgPp: not implemented yet");
    }

    public static Tensor dpmppSde(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("dpmppSde: not implemented yet");
    }

    public static Tensor dpmpp2m(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("dpmpp2m: not implemented yet");
    }

    public static Tensor dpmpp2mCfgPp(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("dpmpp2mCfgPp: not implemented yet");
    }

    public static Tensor dpmpp2mSde(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("dpmpp2mSde: not implemented yet");
    }

    public static Tensor dpmpp2mSdeHeun(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("dpmpp2mSdeHeun: not implemented yet");
    }

    public static Tensor dpmpp3mSde(SamplerRun run, Tensor x, double[] sigmas) {
        throw new UnsupportedOperationException("dpmpp3mSde: not implemented yet");
    }
}
