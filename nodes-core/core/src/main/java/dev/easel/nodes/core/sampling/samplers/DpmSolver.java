package dev.easel.nodes.core.sampling.samplers;

import static dev.easel.nodes.core.sampling.SamplerMath.lincomb;
import static dev.easel.nodes.core.sampling.SamplerMath.plus;

import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * The machinery of DPM-Solver (Lu et al. 2022, "DPM-Solver: A Fast ODE Solver for Diffusion Probabilistic Model
 * Sampling in Around 10 Steps"), for the k-diffusion (VE) parameterisation x = x₀ + σ·ε in the time variable
 * t = −ln σ, which is the half log-SNR λ of the paper when α = 1. The exact solution of the ODE is then
 * x_{t'} = x_t − ∫_t^{t'} e^{−τ}·ε(x_τ, τ) dτ (the paper's eq. 3.4); Taylor-expanding ε in τ gives, with
 * h = t' − t, the single-step solvers below (Algorithms 1, 4 and 5, ε-prediction form):
 *
 * <ul>
 *   <li>DPM-Solver-1: x' = x − σ(t')·(e^h − 1)·ε(x, t)</li>
 *   <li>DPM-Solver-2 (r₁): u = x − σ(s₁)·(e^{r₁h} − 1)·ε, s₁ = t + r₁h;
 *       x' = x − σ(t')·(e^h − 1)·ε − σ(t')/(2r₁)·(e^h − 1)·(ε(u, s₁) − ε)</li>
 *   <li>DPM-Solver-3 (r₁ = 1/3, r₂ = 2/3): u₁ as above, ε₁ = ε(u₁, s₁),
 *       u₂ = x − σ(s₂)·(e^{r₂h} − 1)·ε − σ(s₂)·(r₂/r₁)·((e^{r₂h} − 1)/(r₂h) − 1)·(ε₁ − ε);
 *       x' = x − σ(t')·(e^h − 1)·ε − σ(t')/r₂·((e^h − 1)/h − 1)·(ε(u₂, s₂) − ε)</li>
 * </ul>
 *
 * plus the PID step-size controller of the adaptive solver (Sec. 5 and App. C of the paper, with k-diffusion's PID
 * form of Söderlind's controller).
 */
final class DpmSolver {

    private static final double R1 = 1.0 / 3.0;
    private static final double R2 = 2.0 / 3.0;

    private final SamplerRun run;

    DpmSolver(SamplerRun run) {
        this.run = run;
    }

    /** t = −ln σ. */
    static double t(double sigma) {
        return -Math.log(sigma);
    }

    /** σ = e^{−t}. */
    static double sigma(double t) {
        return Math.exp(-t);
    }

    /** The noise prediction ε(x, t) = (x − D(x, σ(t)))/σ(t); one model call. */
    Tensor eps(Tensor x, double t) {
        double sigma = sigma(t);
        return x.sub(run.denoise(x, sigma)).div(new Scalar(sigma));
    }

    /** The clean estimate x − σ(t)·ε that the step callbacks report. */
    static Tensor denoised(Tensor x, double t, Tensor eps) {
        return plus(x, -sigma(t), eps);
    }

    /** DPM-Solver-1 from t to t': x − σ(t')·(e^h − 1)·ε (also the predictor u of the higher orders). */
    static Tensor first(Tensor x, double t, double tNext, Tensor eps) {
        return plus(x, -sigma(tNext) * Math.expm1(tNext - t), eps);
    }

    /** DPM-Solver-2 from t to t' given ε at t and ε₁ at s₁ = t + r₁h. */
    static Tensor second(Tensor x, double t, double tNext, double r1, Tensor eps, Tensor eps1) {
        double c = sigma(tNext) * Math.expm1(tNext - t);
        return lincomb(1.0, x, -c, eps, -c / (2 * r1), eps1.sub(eps));
    }

    /** DPM-Solver-3's second predictor u₂ at s₂ = t + r₂h, given ε and ε₁ = ε(u₁, t + r₁h). */
    static Tensor secondPredictor(Tensor x, double t, double h, Tensor eps, Tensor eps1) {
        double s2 = t + R2 * h;
        double e = Math.expm1(R2 * h);
        return lincomb(1.0, x, -sigma(s2) * e, eps, -sigma(s2) * (R2 / R1) * (e / (R2 * h) - 1), eps1.sub(eps));
    }

    /** DPM-Solver-3 from t to t' given ε at t and ε₂ at s₂ = t + r₂h. */
    static Tensor third(Tensor x, double t, double tNext, Tensor eps, Tensor eps2) {
        double h = tNext - t;
        double e = Math.expm1(h);
        return lincomb(1.0, x, -sigma(tNext) * e, eps, -sigma(tNext) / R2 * (e / h - 1), eps2.sub(eps));
    }

    /** One step of the given order (1, 2 with r₁ = 1/2, or 3) from t to t', ε at t already evaluated. */
    Tensor step(int order, Tensor x, double t, double tNext, Tensor eps) {
        double h = tNext - t;
        return switch (order) {
            case 1 -> first(x, t, tNext, eps);
            case 2 -> {
                double s1 = t + 0.5 * h;
                yield second(x, t, tNext, 0.5, eps, eps(first(x, t, s1, eps), s1));
            }
            default -> {
                double s1 = t + R1 * h;
                Tensor eps1 = eps(first(x, t, s1, eps), s1);
                yield third(x, t, tNext, eps, eps(secondPredictor(x, t, h, eps, eps1), t + R2 * h));
            }
        };
    }

    /**
     * The embedded pair of DPM-Solver-23: the second-order solution with r₁ = 1/3 (the error estimate's low order)
     * and the third-order one, sharing ε(u₁, t + h/3); two more model calls.
     *
     * @return {low, high}
     */
    Tensor[] pair23(Tensor x, double t, double tNext, Tensor eps) {
        double h = tNext - t;
        double s1 = t + R1 * h;
        Tensor eps1 = eps(first(x, t, s1, eps), s1);
        Tensor low = second(x, t, tNext, R1, eps, eps1);
        Tensor eps2 = eps(secondPredictor(x, t, h, eps, eps1), t + R2 * h);
        return new Tensor[] {low, third(x, t, tNext, eps, eps2)};
    }

    /**
     * The scaled RMS error of the embedded pair: ‖(x_low − x_high)/δ‖₂/√n with
     * δ = max(atol, rtol·max(|x_low|, |x_prev|)) elementwise.
     */
    static double error(Tensor low, Tensor high, Tensor previous, double rtol, double atol) {
        Tensor delta = low.abs().maximum(previous.abs()).mul(new Scalar(rtol)).clamp_min(new Scalar(atol));
        double norm = low.sub(high).div(delta).norm().item().toDouble();
        return norm / Math.sqrt(low.numel());
    }

    /**
     * A PID controller of the step size h from the scaled error (Söderlind 2003, "Digital filters in adaptive
     * time-stepping", in k-diffusion's form): with e_n = 1/(error + ε), the factor
     * f = e_n^{β₁}·e_{n−1}^{β₂}·e_{n−2}^{β₃}, β₁ = (k_P + k_I + k_D)/k, β₂ = −(k_P + 2k_D)/k, β₃ = k_D/k, is
     * smoothed to 1 + atan(f − 1); the step is accepted when that is at least the safety factor, and h is scaled by it
     * either way.
     */
    static final class StepSizeController {

        private final double b1;
        private final double b2;
        private final double b3;
        private final double acceptSafety;
        private final double eps;
        private double[] errs;
        private double h;

        StepSizeController(double h, double pcoeff, double icoeff, double dcoeff, double order, double acceptSafety) {
            this.h = h;
            this.b1 = (pcoeff + icoeff + dcoeff) / order;
            this.b2 = -(pcoeff + 2 * dcoeff) / order;
            this.b3 = dcoeff / order;
            this.acceptSafety = acceptSafety;
            this.eps = 1e-8;
        }

        double h() {
            return h;
        }

        /** Scales h for the next try and tells whether the step just measured is accepted. */
        boolean propose(double error) {
            double inv = 1 / (error + eps);
            if (errs == null) {
                errs = new double[] {inv, inv, inv};
            }
            errs[0] = inv;
            double factor = 1 + Math.atan(Math.pow(errs[0], b1) * Math.pow(errs[1], b2) * Math.pow(errs[2], b3) - 1);
            boolean accept = factor >= acceptSafety;
            if (accept) {
                errs[2] = errs[1];
                errs[1] = errs[0];
            }
            h *= factor;
            return accept;
        }
    }
}
