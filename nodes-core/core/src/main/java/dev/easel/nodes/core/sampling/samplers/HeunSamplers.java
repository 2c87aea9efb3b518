package dev.easel.nodes.core.sampling.samplers;

import static dev.easel.nodes.core.sampling.SamplerMath.ancestral;
import static dev.easel.nodes.core.sampling.SamplerMath.lincomb;
import static dev.easel.nodes.core.sampling.SamplerMath.plus;
import static dev.easel.nodes.core.sampling.SamplerMath.toD;

import dev.easel.nodes.core.sampling.SamplerMath.AncestralStep;
import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Tensor;

/**
 * Second-order single-step samplers of the probability-flow ODE dx/dσ = (x − D(x, σ))/σ: Heun's trapezoidal
 * corrector (Karras et al. 2022, "Elucidating the Design Space of Diffusion-Based Generative Models", Alg. 1/2),
 * its three-point "Heun++" extension, and the DPM-Solver-2 style midpoint step in log σ (Lu et al. 2022,
 * "DPM-Solver: A Fast ODE Solver for Diffusion Probabilistic Model Sampling"), plain and ancestral (Song et al. 2021).
 * None of them uses churn (the reference's default s_churn = 0). A step that lands on σ = 0 is a plain Euler step,
 * since D cannot be evaluated there.
 */
public final class HeunSamplers {

    private HeunSamplers() {
    }

    /**
     * Heun (Karras et al. 2022, Alg. 2 without churn): with d = (x − D(x, σ))/σ and h = σ_next − σ,
     * x̃ = x + h·d, d̃ = (x̃ − D(x̃, σ_next))/σ_next, x ← x + h·(d + d̃)/2; a plain Euler step when σ_next = 0.
     * Two model calls per step, one on the last.
     */
    public static Tensor heun(SamplerRun run, Tensor x, double[] sigmas) {
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double sigma = sigmas[i];
                double next = sigmas[i + 1];
                Tensor denoised = run.denoise(x, sigma);
                run.report(i, x, denoised);
                Tensor d = toD(x, denoised, sigma);
                double h = next - sigma;
                Tensor xNext;
                if (next == 0) {
                    xNext = plus(x, h, d);
                } else {
                    Tensor euler = plus(x, h, d);
                    Tensor d2 = toD(euler, run.denoise(euler, next), next);
                    xNext = plus(x, h, lincomb(0.5, d, 0.5, d2));
                }
                x = step.carry(x, xNext);
            }
        }
        return x;
    }

    /**
     * Heun++ (the reference's heunpp2, after Carzit's sd-webui-samplers-scheduler): an Euler predictor chain
     * x̃₁ = x + (σ₁ − σ)·d, x̃₂ = x̃₁ + (σ₂ − σ₁)·d̃₁ over the next two schedule points, then x ← x + (σ₁ − σ)·d′ with
     * the derivatives averaged by weights proportional to their σ: w_k = σ_k/(3σ_max) for the look-ahead points and
     * the rest on d (σ_max = the schedule's first σ). When only one point is left before the schedule's end it is
     * Heun with w₁ = σ₁/(2σ_max); the step onto the schedule's end is Euler.
     */
    public static Tensor heunpp2(SamplerRun run, Tensor x, double[] sigmas) {
        double end = sigmas[sigmas.length - 1];
        double first = sigmas[0];
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double sigma = sigmas[i];
                double s1 = sigmas[i + 1];
                Tensor denoised = run.denoise(x, sigma);
                run.report(i, x, denoised);
                Tensor d = toD(x, denoised, sigma);
                double h = s1 - sigma;
                Tensor slope;
                if (s1 == end) {
                    slope = d;
                } else {
                    Tensor x1 = plus(x, h, d);
                    Tensor d1 = toD(x1, run.denoise(x1, s1), s1);
                    double s2 = sigmas[i + 2];
                    if (s2 == end) {
                        double w1 = s1 / (2 * first);
                        slope = lincomb(1 - w1, d, w1, d1);
                    } else {
                        Tensor x2 = plus(x1, s2 - s1, d1);
                        Tensor d2 = toD(x2, run.denoise(x2, s2), s2);
                        double w1 = s1 / (3 * first);
                        double w2 = s2 / (3 * first);
                        slope = lincomb(1 - w1 - w2, d, w1, d1, w2, d2);
                    }
                }
                x = step.carry(x, plus(x, h, slope));
            }
        }
        return x;
    }

    /**
     * DPM-2 (k-diffusion's sample_dpm_2; DPM-Solver-2 of Lu et al. 2022 written in σ): a half step in log σ to
     * σ_mid = √(σ·σ_next), x̃ = x + (σ_mid − σ)·d, then the full step with the midpoint slope,
     * x ← x + (σ_next − σ)·(x̃ − D(x̃, σ_mid))/σ_mid; Euler when σ_next = 0.
     */
    public static Tensor dpm2(SamplerRun run, Tensor x, double[] sigmas) {
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double sigma = sigmas[i];
                Tensor denoised = run.denoise(x, sigma);
                run.report(i, x, denoised);
                x = step.carry(x, midpointStep(run, x, denoised, sigma, sigmas[i + 1]));
            }
        }
        return x;
    }

    /**
     * Ancestral DPM-2 (k-diffusion's sample_dpm_2_ancestral, η = 1): the DPM-2 midpoint step to σ_down, then fresh
     * noise of scale σ_up (σ_down² + σ_up² = σ_next²); the last step (σ_down = 0) is Euler without noise.
     */
    public static Tensor dpm2Ancestral(SamplerRun run, Tensor x, double[] sigmas) {
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double sigma = sigmas[i];
                Tensor denoised = run.denoise(x, sigma);
                run.report(i, x, denoised);
                AncestralStep a = ancestral(sigma, sigmas[i + 1], 1.0);
                Tensor next = midpointStep(run, x, denoised, sigma, a.sigmaDown());
                if (a.sigmaDown() != 0) {
                    next = plus(next, a.sigmaUp(), run.noise(sigma, sigmas[i + 1]));
                }
                x = step.carry(x, next);
            }
        }
        return x;
    }

    /** One DPM-2 step σ → target from x with D(x, σ) = denoised (Euler when target = 0). */
    private static Tensor midpointStep(SamplerRun run, Tensor x, Tensor denoised, double sigma, double target) {
        Tensor d = toD(x, denoised, sigma);
        if (target == 0) {
            return plus(x, target - sigma, d);
        }
        double mid = Math.exp(0.5 * (Math.log(sigma) + Math.log(target)));
        Tensor half = plus(x, mid - sigma, d);
        Tensor dMid = toD(half, run.denoise(half, mid), mid);
        return plus(x, target - sigma, dMid);
    }
}
