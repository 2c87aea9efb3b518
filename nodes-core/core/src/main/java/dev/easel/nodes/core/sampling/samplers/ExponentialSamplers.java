package dev.easel.nodes.core.sampling.samplers;

import static dev.easel.nodes.core.sampling.SamplerMath.ancestral;
import static dev.easel.nodes.core.sampling.SamplerMath.lincomb;
import static dev.easel.nodes.core.sampling.SamplerMath.plus;
import static dev.easel.nodes.core.sampling.SamplerMath.scale;
import static dev.easel.nodes.core.sampling.SamplerMath.toD;
import static dev.easel.nodes.core.sampling.samplers.Phi.phi1;
import static dev.easel.nodes.core.sampling.samplers.Phi.phi2;

import dev.easel.nodes.core.sampling.Prediction;
import dev.easel.nodes.core.sampling.SamplerMath.AncestralStep;
import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Exponential integrators in data prediction: with λ = −ln σ the probability-flow ODE is dx/dλ = D(x, σ) − x, whose
 * linear part is solved exactly, so a step of length h = λ_next − λ reads x_next = e^{−h}·x + h·φ₁(−h)·D + … with
 * the φ-functions of {@link Phi} (Lu et al. 2022, "DPM-Solver++"). The stochastic members integrate the matching
 * reverse SDE, whose noise enters with the variance the exponential solution gives it. All assume k-diffusion's
 * x = x₀ + σ·ε form (α = 1) of the {@link dev.easel.nodes.core.sampling.Denoiser} convention; the reference's
 * rectified-flow variants (λ = ln((1 − σ)/σ)) are not covered.
 */
public final class ExponentialSamplers {

    /** ge_gamma of the gradient-estimation sampler (the reference's default). */
    private static final double GE_GAMMA = 2.0;

    /** Points of the Riemann sums of the ER-SDE stages 2 and 3. */
    private static final int ER_SDE_POINTS = 200;

    private ExponentialSamplers() {
    }

    // ---- SEEDS and the exponential Heun method -------------------------------------------------------------------

    /**
     * Deterministic exponential Heun in data prediction and λ time: a full exponential Euler step to λ_next, a second
     * model call there, and the second-order φ₂ correction x_next = e^{−h}x + h(φ₁ − φ₂)(−h)·D + hφ₂(−h)·D₂ (SEEDS-2
     * with η = 0 and r = 1; Gonzalez et al. 2023, "SEEDS: Exponential SDE Solvers for Fast High-Quality Sampling from
     * Diffusion Models", NeurIPS 2023). Two model calls per step, one on the last.
     */
    public static Tensor expHeun2X0(SamplerRun run, Tensor x, double[] sigmas) {
        return seeds2(run, x, sigmas, 0.0, 1.0, true);
    }

    /** {@link #expHeun2X0} on the reverse SDE (η = 1): two noise requests per step, the second with weight 0. */
    public static Tensor expHeun2X0Sde(SamplerRun run, Tensor x, double[] sigmas) {
        return seeds2(run, x, sigmas, 1.0, 1.0, true);
    }

    /**
     * SEEDS-2 (Gonzalez et al. 2023, data prediction, η = 1, r = ½): a stochastic exponential Euler stage to
     * λ + r·h, then the full step with D replaced by D + (D₂ − D)/(2r); the noise of the two stages is correlated as
     * the exact SDE solution makes it. Two model calls and two noise requests per step.
     */
    public static Tensor seeds2(SamplerRun run, Tensor x, double[] sigmas) {
        return seeds2(run, x, sigmas, 1.0, 0.5, false);
    }

    /**
     * SEEDS-3 (Gonzalez et al. 2023, data prediction, η = 1, r₁ = ⅓, r₂ = ⅔): stages at λ + r₁h and λ + r₂h,
     * the second and the final step with the φ₂ correction from the previous stage. Three model calls and three noise
     * requests per step.
     */
    public static Tensor seeds3(SamplerRun run, Tensor x, double[] sigmas) {
        final double eta = 1.0;
        final double r1 = 1.0 / 3;
        final double r2 = 2.0 / 3;
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double sigma = sigmas[i];
                double sigmaNext = sigmas[i + 1];
                Tensor denoised = run.denoise(x, sigma);
                run.report(i, x, denoised);
                if (sigmaNext == 0) {
                    x = step.carry(x, denoised);
                    continue;
                }
                double h = Math.log(sigma) - Math.log(sigmaNext);
                double hh = h * (1 + eta);
                double sigma1 = sigma * Math.exp(-r1 * h);
                double sigma2 = sigma * Math.exp(-r2 * h);

                Tensor x1 = lincomb(Math.exp(-r1 * hh), x, r1 * hh * phi1(-r1 * hh), denoised);
                Tensor noise = sdeNoise(null, r1 * h * eta, run.noise(sigma, sigma1));
                Tensor denoised1 = run.denoise(plus(x1, sigma1, noise), sigma1);

                double a2 = r2 / r1 * r2 * hh * phi2(-r2 * hh);
                Tensor x2 = lincomb(Math.exp(-r2 * hh), x, r2 * hh * phi1(-r2 * hh) - a2, denoised, a2, denoised1);
                noise = sdeNoise(noise, (r2 - r1) * h * eta, run.noise(sigma1, sigma2));
                Tensor denoised2 = run.denoise(plus(x2, sigma2, noise), sigma2);

                double b = hh * phi2(-hh) / r2;
                Tensor next = lincomb(Math.exp(-hh), x, hh * phi1(-hh) - b, denoised, b, denoised2);
                noise = sdeNoise(noise, (1 - r2) * h * eta, run.noise(sigma2, sigmaNext));
                x = step.carry(x, plus(next, sigmaNext, noise));
            }
        }
        return x;
    }

    /**
     * One SEEDS-2 family step per σ: stage at λ + r·h (σ₁ = σ·e^{−rh}), then either the φ₂ correction with weight
     * φ₂/r on D₂ or φ₁ with D + (D₂ − D)/(2r). With H = h(1 + η) the deterministic part decays x by e^{−H}.
     */
    private static Tensor seeds2(SamplerRun run, Tensor x, double[] sigmas, double eta, double r, boolean phi2Solver) {
        boolean injectNoise = eta > 0;
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double sigma = sigmas[i];
                double sigmaNext = sigmas[i + 1];
                Tensor denoised = run.denoise(x, sigma);
                run.report(i, x, denoised);
                if (sigmaNext == 0) {
                    x = step.carry(x, denoised);
                    continue;
                }
                double h = Math.log(sigma) - Math.log(sigmaNext);
                double hh = h * (1 + eta);
                double sigma1 = sigma * Math.exp(-r * h);

                Tensor x1 = lincomb(Math.exp(-r * hh), x, r * hh * phi1(-r * hh), denoised);
                Tensor noise = null;
                if (injectNoise) {
                    noise = sdeNoise(null, r * h * eta, run.noise(sigma, sigma1));
                    x1 = plus(x1, sigma1, noise);
                }
                Tensor denoised1 = run.denoise(x1, sigma1);

                Tensor next;
                if (phi2Solver) {
                    double b = hh * phi2(-hh) / r;
                    next = lincomb(Math.exp(-hh), x, hh * phi1(-hh) - b, denoised, b, denoised1);
                } else {
                    Tensor blended = plus(denoised, 1 / (2 * r), denoised1.sub(denoised));
                    next = lincomb(Math.exp(-hh), x, hh * phi1(-hh), blended);
                }
                if (injectNoise) {
                    noise = sdeNoise(noise, (1 - r) * h * eta, run.noise(sigma1, sigmaNext));
                    next = plus(next, sigmaNext, noise);
                }
                x = step.carry(x, next);
            }
        }
        return x;
    }

    /**
     * The standardised SDE noise after a further stretch Δ = (Δλ)·η: the earlier noise decays by e^{−Δ} and fresh
     * noise of variance 1 − e^{−2Δ} joins it, so each stage's noise is the exact solution's (before the ·σ factor).
     */
    private static Tensor sdeNoise(Tensor previous, double delta, Tensor fresh) {
        Tensor added = scale(Math.sqrt(-Math.expm1(-2 * delta)), fresh);
        return previous == null ? added : plus(added, Math.exp(-delta), previous);
    }

    // ---- RES multistep ---------------------------------------------------------------------------------------------

    /**
     * RES second-order multistep (Zhang et al. 2023, "Improved order analysis and design of exponential integrator
     * for diffusion models sampling", the 2-stage RES scheme used as a multistep): with h = λ_next − λ and
     * c = (λ_prev − λ_prev,down)/h, x_next = e^{−h}x + h[(φ₁ − φ₂/c)(−h)·D + (φ₂/c)(−h)·D_prev]; the first and last
     * steps are Euler steps. The reference draws a noise sample every non-final step even at η = 0 (weight 0).
     */
    public static Tensor resMultistep(SamplerRun run, Tensor x, double[] sigmas) {
        return resMultistep(run, x, sigmas, 0.0, false);
    }

    /** {@link #resMultistep} with CFG++ (Chung et al. 2024): the history and the step use D_uncond. */
    public static Tensor resMultistepCfgPp(SamplerRun run, Tensor x, double[] sigmas) {
        return resMultistep(run, x, sigmas, 0.0, true);
    }

    /** {@link #resMultistep} stepping to σ_down and adding noise of scale σ_up (η = 1). */
    public static Tensor resMultistepAncestral(SamplerRun run, Tensor x, double[] sigmas) {
        return resMultistep(run, x, sigmas, 1.0, false);
    }

    /** {@link #resMultistepAncestral} with CFG++. */
    public static Tensor resMultistepAncestralCfgPp(SamplerRun run, Tensor x, double[] sigmas) {
        return resMultistep(run, x, sigmas, 1.0, true);
    }

    private static Tensor resMultistep(SamplerRun run, Tensor x, double[] sigmas, double eta, boolean cfgPp) {
        Tensor previous = null;
        double previousSigmaDown = 0;
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double sigma = sigmas[i];
                Prediction p = run.predict(x, sigma);
                run.report(i, x, p.denoised());
                Tensor target = cfgPp ? p.uncondDenoised() : p.denoised();
                AncestralStep a = ancestral(sigma, sigmas[i + 1], eta);
                Tensor next;
                if (a.sigmaDown() == 0 || previous == null) {
                    Tensor d = toD(x, target, sigma);
                    next = cfgPp ? plus(p.denoised(), a.sigmaDown(), d) : plus(x, a.sigmaDown() - sigma, d);
                } else {
                    double h = Math.log(sigma) - Math.log(a.sigmaDown());
                    double c = (Math.log(previousSigmaDown) - Math.log(sigmas[i - 1])) / h;
                    double b2 = phi2(-h) / c;
                    double b1 = phi1(-h) - b2;
                    Tensor base = cfgPp ? x.add(p.denoised().sub(p.uncondDenoised())) : x;
                    next = lincomb(Math.exp(-h), base, h * b1, target, h * b2, previous);
                }
                if (sigmas[i + 1] > 0) {
                    Tensor noise = run.noise(sigma, sigmas[i + 1]);
                    if (a.sigmaUp() != 0) {
                        next = plus(next, a.sigmaUp(), noise);
                    }
                }
                x = step.carry(x, next);
                previous = step.carry(previous, target);
                previousSigmaDown = a.sigmaDown();
            }
        }
        return x;
    }

    // ---- Gradient estimation ---------------------------------------------------------------------------------------

    /**
     * Gradient estimation (Permenter &amp; Yuan 2024, "Interpreting and Improving Diffusion Models from an
     * Optimization Perspective", γ = 2): an Euler step with the extrapolated direction d + (γ − 1)(d − d_prev) once
     * a previous d exists; the last step returns D.
     */
    public static Tensor gradientEstimation(SamplerRun run, Tensor x, double[] sigmas) {
        return gradientEstimation(run, x, sigmas, false);
    }

    /** {@link #gradientEstimation} with CFG++: d = (x − D_uncond)/σ and the Euler part D + σ_next·d. */
    public static Tensor gradientEstimationCfgPp(SamplerRun run, Tensor x, double[] sigmas) {
        return gradientEstimation(run, x, sigmas, true);
    }

    private static Tensor gradientEstimation(SamplerRun run, Tensor x, double[] sigmas, boolean cfgPp) {
        Tensor previousD = null;
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double sigma = sigmas[i];
                double sigmaNext = sigmas[i + 1];
                Prediction p = run.predict(x, sigma);
                run.report(i, x, p.denoised());
                Tensor d = toD(x, cfgPp ? p.uncondDenoised() : p.denoised(), sigma);
                double dt = sigmaNext - sigma;
                Tensor next;
                if (sigmaNext == 0) {
                    next = p.denoised();
                } else {
                    next = cfgPp ? plus(p.denoised(), sigmaNext, d) : plus(x, dt, d);
                    if (previousD != null) {
                        next = plus(next, (GE_GAMMA - 1) * dt, d.sub(previousD));
                    }
                }
                x = step.carry(x, next);
                previousD = step.carry(previousD, d);
            }
        }
        return x;
    }

    // ---- ER-SDE ----------------------------------------------------------------------------------------------------

    /**
     * ER-SDE-Solver-3 (Cui et al. 2025, "Elucidating the solution space of extended reverse-time SDE for diffusion
     * models", VP data prediction) in λ = σ/α = σ, with the noise scaler s(λ) = λ(e^{λ^0.3} + 10) and
     * r = s(λ_t)/s(λ_s):
     * x_next = r·x + (1 − r)·D + (Δλ + s(λ_t)∫ dλ/s)·D′ + (Δλ²/2 + s(λ_t)∫ (λ − λ_s)/s dλ)·D″ + √(λ_t² − r²λ_s²)·ξ,
     * with D′, D″ divided differences of past predictions (stage 2 from the second step, 3 from the third), the
     * integrals as 200-point Riemann sums; the last step returns D.
     */
    public static Tensor erSde(SamplerRun run, Tensor x, double[] sigmas) {
        Tensor previous = null;
        Tensor previousSlope = null;
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double lambdaS = sigmas[i];
                double lambdaT = sigmas[i + 1];
                Tensor denoised = run.denoise(x, lambdaS);
                run.report(i, x, denoised);
                if (lambdaT == 0) {
                    x = step.carry(x, denoised);
                    continue;
                }
                int stage = Math.min(3, i + 1);
                double scaleT = erNoiseScale(lambdaT);
                double r = scaleT / erNoiseScale(lambdaS);
                Tensor next = lincomb(r, x, 1 - r, denoised);
                if (stage >= 2) {
                    double dl = lambdaT - lambdaS;
                    double dx = -dl / ER_SDE_POINTS;
                    double inverseSum = 0;
                    double momentSum = 0;
                    for (int k = 0; k < ER_SDE_POINTS; k++) {
                        double lambda = lambdaT + k * dx;
                        double s = erNoiseScale(lambda);
                        inverseSum += 1 / s;
                        momentSum += (lambda - lambdaS) / s;
                    }
                    Tensor slope = denoised.sub(previous).div(
                            new Scalar(lambdaS - sigmas[i - 1]));
                    next = plus(next, dl + inverseSum * dx * scaleT, slope);
                    if (stage >= 3) {
                        Tensor curvature = slope.sub(previousSlope).div(
                                new Scalar((lambdaS - sigmas[i - 2]) / 2));
                        next = plus(next, dl * dl / 2 + momentSum * dx * scaleT, curvature);
                    }
                    previousSlope = step.carry(previousSlope, slope);
                }
                double variance = lambdaT * lambdaT - lambdaS * lambdaS * r * r;
                next = plus(next, variance > 0 ? Math.sqrt(variance) : 0.0, run.noise(lambdaS, lambdaT));
                x = step.carry(x, next);
                previous = step.carry(previous, denoised);
            }
        }
        return x;
    }

    /** ER-SDE's default noise scaler s(λ) = λ·(e^{λ^0.3} + 10). */
    private static double erNoiseScale(double lambda) {
        return lambda * (Math.exp(Math.pow(lambda, 0.3)) + 10.0);
    }
}
