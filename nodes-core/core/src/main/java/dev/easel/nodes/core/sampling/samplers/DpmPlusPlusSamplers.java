package dev.easel.nodes.core.sampling.samplers;

import static dev.easel.nodes.core.sampling.SamplerMath.ancestral;
import static dev.easel.nodes.core.sampling.SamplerMath.lincomb;
import static dev.easel.nodes.core.sampling.SamplerMath.plus;
import static dev.easel.nodes.core.sampling.SamplerMath.scale;
import static dev.easel.nodes.core.sampling.SamplerMath.toD;

import dev.easel.nodes.core.sampling.Prediction;
import dev.easel.nodes.core.sampling.SamplerMath.AncestralStep;
import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Tensor;

/**
 * DPM-Solver++ (Lu et al. 2022, "DPM-Solver++: Fast Solver for Guided Sampling of Diffusion Probabilistic Models",
 * arXiv:2211.01095): exponential integrators of the data-prediction ODE in t = −ln σ (the half log-SNR λ when α = 1).
 * Over h = t' − t the exact solution is x_{t'} = (σ'/σ)·x_t + σ'·∫_t^{t'} e^τ·D(x_τ, τ) dτ, so the first-order step
 * is x' = (σ'/σ)·x − (e^{−h} − 1)·D, and the higher orders correct D with a midpoint evaluation (2S, single-step) or
 * with the previous steps' D (2M, 3M, multistep). The SDE variants (the paper's SDE-DPM-Solver++, extended to 3M by
 * k-diffusion's {@code dpmpp_*_sde}; η = 1) integrate the reverse SDE instead: the step contracts x by e^{−ηh} more,
 * weights D by 1 − e^{−(1+η)h}, and adds noise of scale σ'·√(1 − e^{−2ηh}). The CFG++ variants (Chung et al. 2024,
 * "CFG++: Manifold-constrained Classifier Free Guidance") re-noise along the unconditional prediction instead of the
 * guided one.
 */
public final class DpmPlusPlusSamplers {

    private DpmPlusPlusSamplers() {
    }

    private static double t(double sigma) {
        return -Math.log(sigma);
    }

    private static double sigma(double t) {
        return Math.exp(-t);
    }

    /**
     * Ancestral DPM-Solver++(2S) (η = 1): a second-order single step to σ_down with a midpoint at s = t + h/2,
     * x_s = (σ_s/σ)·x − (e^{−h/2} − 1)·D, x ← (σ_down/σ)·x − (e^{−h} − 1)·D(x_s, σ_s), then noise of scale σ_up.
     * The last step (σ_down = 0) is an Euler step to 0. Two model calls per step but the last.
     */
    public static Tensor dpmpp2sAncestral(SamplerRun run, Tensor x, double[] sigmas) {
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                Tensor denoised = run.denoise(x, sigmas[i]);
                run.report(i, x, denoised);
                AncestralStep a = ancestral(sigmas[i], sigmas[i + 1], 1.0);
                Tensor next;
                if (a.sigmaDown() == 0) {
                    next = plus(x, a.sigmaDown() - sigmas[i], toD(x, denoised, sigmas[i]));
                } else {
                    double t = t(sigmas[i]);
                    double h = t(a.sigmaDown()) - t;
                    double sigmaS = sigma(t + h / 2);
                    Tensor xS = lincomb(sigmaS / sigmas[i], x, -Math.expm1(-h / 2), denoised);
                    Tensor denoisedS = run.denoise(xS, sigmaS);
                    next = lincomb(a.sigmaDown() / sigmas[i], x, -Math.expm1(-h), denoisedS);
                }
                if (sigmas[i + 1] > 0) {
                    next = plus(next, a.sigmaUp(), run.noise(sigmas[i], sigmas[i + 1]));
                }
                x = step.carry(x, next);
            }
        }
        return x;
    }

    /**
     * CFG++ ancestral DPM-Solver++(2S), as the reference computes it: with D, U the guided and unconditional
     * predictions, the midpoint x_s = (σ_s/σ)·(x + D − U) − (e^{−h/2} − 1)·D, then
     * x ← (σ_down/σ)·(x + D − U_s) − (e^{−h} − 1)·D_s from the midpoint's predictions D_s, U_s (the reference reads
     * the unconditional prediction of the latest model call there, which is the midpoint's), and noise of scale
     * σ_up. The last step (σ_down = 0) returns D. Two model calls per step but the last.
     */
    public static Tensor dpmpp2sAncestralCfgPp(SamplerRun run, Tensor x, double[] sigmas) {
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                Prediction p = run.predict(x, sigmas[i]);
                run.report(i, x, p.denoised());
                AncestralStep a = ancestral(sigmas[i], sigmas[i + 1], 1.0);
                Tensor next;
                if (a.sigmaDown() == 0) {
                    next = plus(p.denoised(), a.sigmaDown(), toD(x, p.uncondDenoised(), sigmas[i]));
                } else {
                    double t = t(sigmas[i]);
                    double h = t(a.sigmaDown()) - t;
                    double sigmaS = sigma(t + h / 2);
                    Tensor guided = x.add(p.denoised()).sub(p.uncondDenoised());
                    Tensor xS = lincomb(sigmaS / sigmas[i], guided, -Math.expm1(-h / 2), p.denoised());
                    Prediction pS = run.predict(xS, sigmaS);
                    Tensor guidedS = x.add(p.denoised()).sub(pS.uncondDenoised());
                    next = lincomb(a.sigmaDown() / sigmas[i], guidedS, -Math.expm1(-h), pS.denoised());
                }
                if (sigmas[i + 1] > 0) {
                    next = plus(next, a.sigmaUp(), run.noise(sigmas[i], sigmas[i + 1]));
                }
                x = step.carry(x, next);
            }
        }
        return x;
    }

    /**
     * DPM-Solver++ SDE (k-diffusion's {@code dpmpp_sde}, η = 1, r = 1/2): a stochastic 2S step. With
     * h = t_{i+1} − t_i and the midpoint σ_m = σ(t_i + r·h): an ancestral first-order step to σ_m
     * (split into σ_down, σ_up of σ_i → σ_m), x_m = (σ_down/σ)·x − (e^{−h'} − 1)·D + σ_up·z, h' = t(σ_down) − t_i;
     * then the step σ_i → σ_{i+1} the same way with D replaced by (1 − 1/(2r))·D + 1/(2r)·D(x_m, σ_m). The last
     * step returns D. Two model calls and two noise draws per step but the last.
     */
    public static Tensor dpmppSde(SamplerRun run, Tensor x, double[] sigmas) {
        double r = 0.5;
        double fac = 1 / (2 * r);
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                Tensor denoised = run.denoise(x, sigmas[i]);
                run.report(i, x, denoised);
                if (sigmas[i + 1] == 0) {
                    x = step.carry(x, denoised);
                    continue;
                }
                double t = t(sigmas[i]);
                double sigmaMid = sigma(t + r * (t(sigmas[i + 1]) - t));
                Tensor xMid = sdeStep(run, x, sigmas[i], sigmaMid, denoised);
                Tensor denoisedMid = run.denoise(xMid, sigmaMid);
                Tensor mixed = lincomb(1 - fac, denoised, fac, denoisedMid);
                x = step.carry(x, sdeStep(run, x, sigmas[i], sigmas[i + 1], mixed));
            }
        }
        return x;
    }

    /** The ancestral first-order DPM-Solver++ step σ → σ' of {@link #dpmppSde} (η = 1) with the prediction D. */
    private static Tensor sdeStep(SamplerRun run, Tensor x, double sigma, double sigmaNext, Tensor denoised) {
        AncestralStep a = ancestral(sigma, sigmaNext, 1.0);
        double h = t(a.sigmaDown()) - t(sigma);
        Tensor next = lincomb(a.sigmaDown() / sigma, x, -Math.expm1(-h), denoised);
        return plus(next, a.sigmaUp(), run.noise(sigma, sigmaNext));
    }

    /**
     * DPM-Solver++(2M): x ← (σ_{i+1}/σ_i)·x − (e^{−h} − 1)·D', where D' = (1 + 1/(2r))·D_i − 1/(2r)·D_{i−1},
     * r = h_{i−1}/h_i, and D' = D_i on the first and the last step. One model call per step.
     */
    public static Tensor dpmpp2m(SamplerRun run, Tensor x, double[] sigmas) {
        Tensor old = null;
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                Tensor denoised = run.denoise(x, sigmas[i]);
                run.report(i, x, denoised);
                double h = t(sigmas[i + 1]) - t(sigmas[i]);
                Tensor d = denoised;
                if (old != null && sigmas[i + 1] != 0) {
                    double r = (t(sigmas[i]) - t(sigmas[i - 1])) / h;
                    d = lincomb(1 + 1 / (2 * r), denoised, -1 / (2 * r), old);
                }
                x = step.carry(x, lincomb(sigmas[i + 1] / sigmas[i], x, -Math.expm1(-h), d));
                old = step.carry(old, denoised);
            }
        }
        return x;
    }

    /**
     * CFG++ DPM-Solver++(2M): x ← D + e^{−h}·(x − U) − (e^{−h} − 1)/(2r)·(D − U_{i−1}), with D the guided and U the
     * unconditional prediction at step i and r = h_{i−1}/h_i; the correction is left out on the first and the last
     * step. One model call per step.
     */
    public static Tensor dpmpp2mCfgPp(SamplerRun run, Tensor x, double[] sigmas) {
        Tensor oldUncond = null;
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                Prediction p = run.predict(x, sigmas[i]);
                run.report(i, x, p.denoised());
                double h = t(sigmas[i + 1]) - t(sigmas[i]);
                double decay = Math.exp(-h);
                Tensor next = plus(p.denoised(), decay, x.sub(p.uncondDenoised()));
                if (oldUncond != null && sigmas[i + 1] != 0) {
                    double r = (t(sigmas[i]) - t(sigmas[i - 1])) / h;
                    next = plus(next, -Math.expm1(-h) / (2 * r), p.denoised().sub(oldUncond));
                }
                x = step.carry(x, next);
                oldUncond = step.carry(oldUncond, p.uncondDenoised());
            }
        }
        return x;
    }

    /** DPM-Solver++(2M) SDE with the midpoint correction c = (1 − e^{−h_η})/2 (η = 1); see the shared step below. */
    public static Tensor dpmpp2mSde(SamplerRun run, Tensor x, double[] sigmas) {
        return dpmpp2mSde(run, x, sigmas, false);
    }

    /** DPM-Solver++(2M) SDE with the Heun correction c = (1 − e^{−h_η})/(−h_η) + 1 (η = 1); see the step below. */
    public static Tensor dpmpp2mSdeHeun(SamplerRun run, Tensor x, double[] sigmas) {
        return dpmpp2mSde(run, x, sigmas, true);
    }

    /**
     * DPM-Solver++(2M) SDE (η = 1, so h_η = 2h): x ← (σ_{i+1}/σ_i)·e^{−h}·x + (1 − e^{−h_η})·D_i + c·(D_i − D_{i−1})/r
     * + σ_{i+1}·√(1 − e^{−2h})·z, with r = h_{i−1}/h_i and c = (1 − e^{−h_η})/2 (midpoint) or
     * c = (1 − e^{−h_η})/(−h_η) + 1 (Heun); no correction on the first step; the last step returns D. One model call
     * and one noise draw per step but the last.
     */
    private static Tensor dpmpp2mSde(SamplerRun run, Tensor x, double[] sigmas, boolean heun) {
        double eta = 1.0;
        Tensor old = null;
        double hLast = 0;
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                Tensor denoised = run.denoise(x, sigmas[i]);
                run.report(i, x, denoised);
                if (sigmas[i + 1] == 0) {
                    x = step.carry(x, denoised);
                } else {
                    double h = t(sigmas[i + 1]) - t(sigmas[i]);
                    double hEta = h * (eta + 1);
                    double weight = -Math.expm1(-hEta);
                    Tensor next = lincomb(sigmas[i + 1] / sigmas[i] * Math.exp(-h * eta), x, weight, denoised);
                    if (old != null) {
                        double r = hLast / h;
                        double c = heun ? weight / -hEta + 1 : 0.5 * weight;
                        next = plus(next, c / r, denoised.sub(old));
                    }
                    next = plus(next, sigmas[i + 1] * Math.sqrt(-Math.expm1(-2 * h * eta)),
                            run.noise(sigmas[i], sigmas[i + 1]));
                    x = step.carry(x, next);
                    hLast = h;
                }
                old = step.carry(old, denoised);
            }
        }
        return x;
    }

    /**
     * DPM-Solver++(3M) SDE (η = 1, h_η = 2h): the 2M SDE step x ← (σ_{i+1}/σ_i)·e^{−h}·x + (1 − e^{−h_η})·D_i plus,
     * from the divided differences of D_i, D_{i−1}, D_{i−2} over r₀ = h_{i−1}/h, r₁ = h_{i−2}/h
     * (d₁ = D'₀ + (D'₀ − D'₁)·r₀/(r₀ + r₁), d₂ = (D'₀ − D'₁)/(r₀ + r₁)), the terms φ₂·d₁ − φ₃·d₂ with
     * φ₂ = (e^{−h_η} − 1)/h_η + 1, φ₃ = φ₂/h_η − 1/2 (only φ₂·D'₀ with one previous step, nothing on the first), and
     * noise σ_{i+1}·√(1 − e^{−2h})·z. The last step returns D. One model call and one noise draw per step but the
     * last.
     */
    public static Tensor dpmpp3mSde(SamplerRun run, Tensor x, double[] sigmas) {
        double eta = 1.0;
        Tensor d1 = null;
        Tensor d2 = null;
        double h1 = Double.NaN;
        double h2 = Double.NaN;
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                Tensor denoised = run.denoise(x, sigmas[i]);
                run.report(i, x, denoised);
                double h = h1;
                if (sigmas[i + 1] == 0) {
                    x = step.carry(x, denoised);
                } else {
                    h = t(sigmas[i + 1]) - t(sigmas[i]);
                    double hEta = h * (eta + 1);
                    Tensor next = lincomb(sigmas[i + 1] / sigmas[i] * Math.exp(-h * eta), x, -Math.expm1(-hEta),
                            denoised);
                    double phi2 = Math.expm1(-hEta) / hEta + 1;
                    if (d2 != null) {
                        double r0 = h1 / h;
                        double r1 = h2 / h;
                        Tensor diff0 = scale(1 / r0, denoised.sub(d1));
                        Tensor diff1 = scale(1 / r1, d1.sub(d2));
                        Tensor curvature = diff0.sub(diff1);
                        Tensor slope = plus(diff0, r0 / (r0 + r1), curvature);
                        double phi3 = phi2 / hEta - 0.5;
                        next = lincomb(1.0, next, phi2, slope, -phi3 / (r0 + r1), curvature);
                    } else if (d1 != null) {
                        double r = h1 / h;
                        next = plus(next, phi2 / r, denoised.sub(d1));
                    }
                    next = plus(next, sigmas[i + 1] * Math.sqrt(-Math.expm1(-2 * h * eta)),
                            run.noise(sigmas[i], sigmas[i + 1]));
                    x = step.carry(x, next);
                }
                if (d2 != null) {
                    step.drop(d2);
                }
                d2 = d1;
                d1 = step.keep(denoised);
                h2 = h1;
                h1 = h;
            }
        }
        return x;
    }
}
