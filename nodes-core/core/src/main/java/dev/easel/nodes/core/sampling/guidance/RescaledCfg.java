package dev.easel.nodes.core.sampling.guidance;

import static dev.easel.nodes.core.sampling.SamplerMath.lincomb;

import org.bytedeco.pytorch.Tensor;

/**
 * CFG rescale (Lin et al. 2024, "Common Diffusion Noise Schedules and Sample Steps are Flawed", §3.4): guide in
 * v-prediction space, then rescale the guided v per sample to the standard deviation of the conditional v, blended
 * with the plain result by {@code multiplier}. High cfg values then stop over-exposing.
 *
 * <p>With a = 1/(σ² + 1) and b = σ/√(σ² + 1), an ε-model's denoised D at input x has v = (a·x − D)/b, and back
 * D = a·x − b·v.
 */
public record RescaledCfg(double multiplier) implements CfgFunction {

    @Override
    public Tensor guide(Tensor x, double sigma, Tensor cond, Tensor uncond, double cfg) {
        double a = 1.0 / (sigma * sigma + 1.0);
        double b = sigma / Math.sqrt(sigma * sigma + 1.0);
        Tensor vCond = lincomb(a / b, x, -1.0 / b, cond);
        Tensor vUncond = lincomb(a / b, x, -1.0 / b, uncond);
        Tensor vCfg = lincomb(1.0 - cfg, vUncond, cfg, vCond);
        long[] perSample = {1, 2, 3};
        Tensor ratio = vCond.std(perSample, true, true).div(vCfg.std(perSample, true, true));
        Tensor vFinal = lincomb(multiplier, vCfg.mul(ratio), 1.0 - multiplier, vCfg);
        return lincomb(a, x, -b, vFinal);
    }

    @Override
    public String identity() {
        return "rescale(" + multiplier + ")";
    }
}
