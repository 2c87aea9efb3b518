package dev.easel.nodes.core.sampling.samplers;

import static dev.easel.nodes.core.sampling.SamplerMath.ancestral;
import static dev.easel.nodes.core.sampling.SamplerMath.plus;
import static dev.easel.nodes.core.sampling.SamplerMath.toD;

import dev.easel.nodes.core.sampling.Prediction;
import dev.easel.nodes.core.sampling.SamplerMath.AncestralStep;
import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Tensor;

/**
 * First-order samplers of the probability-flow ODE dx/dσ = (x − D(x, σ))/σ (Karras et al. 2022, "Elucidating the
 * Design Space of Diffusion-Based Generative Models", Alg. 1 with Euler steps), their ancestral variants (Song et al.
 * 2021: step down to σ_down, add noise of scale σ_up), and the CFG++ variants (Chung et al. 2024, "CFG++:
 * Manifold-constrained Classifier Free Guidance"), which step from the guided prediction along the unconditional one.
 */
public final class EulerSamplers {

    private EulerSamplers() {
    }

    /** x ← x + (σ_next − σ)·d, d = (x − D)/σ. One model call per step. */
    public static Tensor euler(SamplerRun run, Tensor x, double[] sigmas) {
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                Tensor denoised = run.denoise(x, sigmas[i]);
                run.report(i, x, denoised);
                Tensor d = toD(x, denoised, sigmas[i]);
                x = step.carry(x, plus(x, sigmas[i + 1] - sigmas[i], d));
            }
        }
        return x;
    }

    /** CFG++ Euler: x ← D + σ_next·(x − D_uncond)/σ. */
    public static Tensor eulerCfgPp(SamplerRun run, Tensor x, double[] sigmas) {
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                Prediction p = run.predict(x, sigmas[i]);
                run.report(i, x, p.denoised());
                Tensor d = toD(x, p.uncondDenoised(), sigmas[i]);
                x = step.carry(x, plus(p.denoised(), sigmas[i + 1], d));
            }
        }
        return x;
    }

    /** Euler to σ_down, then noise of scale σ_up (η = 1). */
    public static Tensor eulerAncestral(SamplerRun run, Tensor x, double[] sigmas) {
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                Tensor denoised = run.denoise(x, sigmas[i]);
                run.report(i, x, denoised);
                AncestralStep a = ancestral(sigmas[i], sigmas[i + 1], 1.0);
                Tensor next;
                if (a.sigmaDown() == 0) {
                    next = denoised;
                } else {
                    Tensor d = toD(x, denoised, sigmas[i]);
                    next = plus(plus(x, a.sigmaDown() - sigmas[i], d), a.sigmaUp(),
                            run.noise(sigmas[i], sigmas[i + 1]));
                }
                x = step.carry(x, next);
            }
        }
        return x;
    }

    /** CFG++ ancestral Euler: x ← D + σ_down·(x − D_uncond)/σ, then noise of scale σ_up. */
    public static Tensor eulerAncestralCfgPp(SamplerRun run, Tensor x, double[] sigmas) {
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                Prediction p = run.predict(x, sigmas[i]);
                run.report(i, x, p.denoised());
                AncestralStep a = ancestral(sigmas[i], sigmas[i + 1], 1.0);
                Tensor d = toD(x, p.uncondDenoised(), sigmas[i]);
                Tensor next = plus(p.denoised(), a.sigmaDown(), d);
                if (sigmas[i + 1] > 0) {
                    next = plus(next, a.sigmaUp(), run.noise(sigmas[i], sigmas[i + 1]));
                }
                x = step.carry(x, next);
            }
        }
        return x;
    }
}
