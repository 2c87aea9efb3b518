package dev.easel.nodes.core.sampling.samplers;

import static dev.easel.nodes.core.sampling.SamplerMath.lincomb;
import static dev.easel.nodes.core.sampling.SamplerMath.plus;
import static dev.easel.nodes.core.sampling.SamplerMath.scale;

import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Tensor;

/**
 * Samplers that re-noise with fresh Gaussian noise every step: DDPM's ancestral posterior step (Ho et al. 2020,
 * "Denoising Diffusion Probabilistic Models", Alg. 2) and multistep consistency sampling as used by LCM (Luo et al.
 * 2023, "Latent Consistency Models"; Song et al. 2023, "Consistency Models", Alg. 1). Both draw no noise on the
 * step to σ = 0.
 */
public final class StochasticSamplers {

    private StochasticSamplers() {
    }

    /**
     * DDPM in the variance-preserving frame: x_vp = x/√(1+σ²), ᾱ = 1/(1+σ²), ᾱ′ = 1/(1+σ_next²), α = ᾱ/ᾱ′,
     * ε = (x − D)/σ; the posterior mean μ = (x_vp − (1−α)/√(1−ᾱ)·ε)/√α plus, unless σ_next = 0, noise of scale
     * √((1−α)(1−ᾱ′)/(1−ᾱ)); back in the σ frame x ← μ·√(1+σ_next²).
     */
    public static Tensor ddpm(SamplerRun run, Tensor x, double[] sigmas) {
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double sigma = sigmas[i];
                double next = sigmas[i + 1];
                Tensor denoised = run.denoise(x, sigma);
                run.report(i, x, denoised);
                double abar = 1 / (sigma * sigma + 1);
                double abarNext = 1 / (next * next + 1);
                double alpha = abar / abarNext;
                Tensor eps = scale(1 / sigma, x.sub(denoised));
                Tensor mean = lincomb(1 / Math.sqrt((1 + sigma * sigma) * alpha), x,
                        -(1 - alpha) / Math.sqrt((1 - abar) * alpha), eps);
                Tensor xNext = mean;
                if (next > 0) {
                    double std = Math.sqrt((1 - alpha) * (1 - abarNext) / (1 - abar));
                    xNext = scale(Math.sqrt(1 + next * next), plus(mean, std, run.noise(sigma, next)));
                }
                x = step.carry(x, xNext);
            }
        }
        return x;
    }

    /** LCM: x ← D(x, σ), then re-noised to σ_next: x ← D + σ_next·z (none at σ_next = 0). */
    public static Tensor lcm(SamplerRun run, Tensor x, double[] sigmas) {
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double next = sigmas[i + 1];
                Tensor denoised = run.denoise(x, sigmas[i]);
                run.report(i, x, denoised);
                Tensor xNext = next > 0 ? plus(denoised, next, run.noise(sigmas[i], next)) : denoised;
                x = step.carry(x, xNext);
            }
        }
        return x;
    }
}
