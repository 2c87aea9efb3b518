package dev.easel.nodes.core.sampling.samplers;

import static dev.easel.nodes.core.sampling.SamplerMath.plus;
import static dev.easel.nodes.core.sampling.SamplerMath.toD;

import dev.easel.nodes.core.sampling.SamplerRun;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.IntFunction;
import org.bytedeco.pytorch.Tensor;

/**
 * Linear multistep (Adams–Bashforth type) samplers of the probability-flow ODE dx/dσ = d = (x − D(x, σ))/σ: one
 * model call per step, the step combining the current derivative with those of earlier steps,
 * x ← x + Σ_j c_j·d_{i−j}. They differ in the coefficients c_j: k-diffusion's LMS integrates the Lagrange
 * interpolant of d in σ; iPNDM (Zhang & Chen 2023, "Fast Sampling of Diffusion Models with Exponential Integrator",
 * after Liu et al. 2022, PNDM) uses the fixed-step Adams–Bashforth weights; iPNDM-v (Zhou et al. 2024, "Fast
 * ODE-based Sampling for Diffusion Models in Around 5 Steps") their variable-step form; DEIS (Zhang & Chen 2023)
 * integrates the interpolant in the time of a VP diffusion. The first steps use the orders their history allows;
 * the step to σ = 0 returns D (iPNDM, LMS) or takes an Euler step (DEIS), which is the same up to rounding.
 *
 * <p>As in the reference, the iPNDM, iPNDM-v and DEIS samplers report the start latent as x at every step (their
 * callback sees the initial x, not the current one); the denoised prediction is the current one.
 */
public final class MultistepSamplers {

    /** LMS order (the reference's default). */
    private static final int LMS_ORDER = 4;
    /** iPNDM and iPNDM-v maximum order. */
    private static final int IPNDM_ORDER = 4;
    /** DEIS maximum order (the reference's default, tab mode). */
    private static final int DEIS_ORDER = 3;
    /** Points of the DEIS coefficient quadrature. */
    private static final int DEIS_POINTS = 10_000;

    /*
     * The VP diffusion of DEIS: α(t) = exp(−½t²(β₁ − β₀) − tβ₀), σ(t) = √(1/α − 1), with β fixed by σ(ε) = 0.002 and
     * σ(1) = 80, ε = 10⁻³ (the reference's defaults, whatever the model). These few scalars are computed in float32,
     * as the reference does: ln(σ² + 1) of a small σ loses digits to the rounding of σ² + 1 in float32, which moves
     * t(σ) by up to ~10⁻⁴ relative at the schedule's low end; computed exactly instead, the results differ from the
     * reference's by ~8% of the fixture tolerance, in float32 by ~0.3%.
     */
    private static final float VP_EPS = 1e-3f;
    private static final float VP_BETA_D;
    private static final float VP_BETA_MIN;
    private static final double VP_BETA_0;
    private static final double VP_BETA_SLOPE;

    static {
        float sMin = 0.002f;
        float sMax = 80f;
        float lMin = (float) Math.log(sMin * sMin + 1f);
        float lMax = (float) Math.log(sMax * sMax + 1f);
        VP_BETA_D = 2f * (lMin / VP_EPS - lMax) / (float) (1e-3 - 1);
        VP_BETA_MIN = lMax - 0.5f * VP_BETA_D;
        float beta1 = VP_BETA_D + VP_BETA_MIN;
        VP_BETA_0 = VP_BETA_MIN;
        VP_BETA_SLOPE = beta1 - VP_BETA_MIN;
    }

    private MultistepSamplers() {
    }

    /**
     * LMS (k-diffusion's sample_lms, order 4): c_j = ∫_{σ_i}^{σ_{i+1}} ℓ_j(σ) dσ with ℓ_j the Lagrange basis over
     * σ_i, σ_{i−1}, …, σ_{i−order+1}; on the step to σ = 0, x ← D.
     */
    public static Tensor lms(SamplerRun run, Tensor x, double[] sigmas) {
        Deque<Tensor> history = new ArrayDeque<>();
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double sigma = sigmas[i];
                double next = sigmas[i + 1];
                Tensor denoised = run.denoise(x, sigma);
                run.report(i, x, denoised);
                Tensor d = toD(x, denoised, sigma);
                Tensor xNext;
                if (next == 0) {
                    xNext = denoised;
                } else {
                    int order = Math.min(i + 1, LMS_ORDER);
                    double[] nodes = new double[order];
                    for (int k = 0; k < order; k++) {
                        nodes[k] = sigmas[i - k];
                    }
                    double[] c = new double[order];
                    for (int j = 0; j < order; j++) {
                        c[j] = Lagrange.integral(nodes, j, sigma, next);
                    }
                    xNext = combine(x, c, d, history);
                }
                remember(step, history, d, LMS_ORDER - 1);
                x = step.carry(x, xNext);
            }
        }
        return x;
    }

    /**
     * iPNDM: x ← x + (σ_next − σ)·Σ_j b_j·d_{i−j} with the Adams–Bashforth weights of the available order
     * (1; 3/2, −1/2; 23/12, −16/12, 5/12; 55/24, −59/24, 37/24, −9/24); on the step to σ = 0, x ← D.
     */
    public static Tensor ipndm(SamplerRun run, Tensor x, double[] sigmas) {
        return adamsBashforth(run, x, sigmas, i -> adamsBashforthWeights(Math.min(i + 1, IPNDM_ORDER)));
    }

    /**
     * iPNDM-v: as {@link #ipndm} with the weights of the variable-step form, built from the step sizes
     * h = σ_next − σ_i and h_k = σ_{i−k+1} − σ_{i−k} ({@link #variableStepWeights}).
     */
    public static Tensor ipndmV(SamplerRun run, Tensor x, double[] sigmas) {
        return adamsBashforth(run, x, sigmas, i -> variableStepWeights(sigmas, i, Math.min(i + 1, IPNDM_ORDER)));
    }

    /**
     * DEIS (Zhang & Chen 2023, "tAB" mode, order 3): σ is mapped to the time t of a VP diffusion
     * ({@link #vpTime}), and c_j = ∫_{t_i}^{t_{i+1}} ℓ_j(τ)·dσ/dτ dτ with ℓ_j the Lagrange basis over t_i, t_{i−1},
     * …; dσ/dτ = −½·(d ln α/dτ)/√(α(1 − α)). The integral is the reference's Riemann sum over 10 000 evenly spaced
     * points (both ends included) times (t_{i+1} − t_i)/10 000, so results match it. The first step and the step to
     * σ = 0 are Euler steps.
     */
    public static Tensor deis(SamplerRun run, Tensor x, double[] sigmas) {
        Tensor start = x;
        Deque<Tensor> history = new ArrayDeque<>();
        double[] t = vpTimes(sigmas);
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double sigma = sigmas[i];
                double next = sigmas[i + 1];
                Tensor denoised = run.denoise(x, sigma);
                run.report(i, start, denoised);
                Tensor d = toD(x, denoised, sigma);
                int order = next <= 0 ? 1 : Math.min(i + 1, DEIS_ORDER);
                Tensor xNext;
                if (order == 1) {
                    xNext = plus(x, next - sigma, d);
                } else {
                    double[] nodes = new double[order];
                    for (int k = 0; k < order; k++) {
                        nodes[k] = t[i - k];
                    }
                    xNext = combine(x, deisCoefficients(nodes, t[i], t[i + 1]), d, history);
                }
                remember(step, history, d, DEIS_ORDER - 1);
                x = step.carry(x, xNext);
            }
        }
        return x;
    }

    /** The iPNDM loop: x ← x + (σ_next − σ)·Σ_j b_j·d_{i−j} with b = weights(i); x ← D on the step to σ = 0. */
    private static Tensor adamsBashforth(SamplerRun run, Tensor x, double[] sigmas, IntFunction<double[]> weights) {
        Tensor start = x;
        Deque<Tensor> history = new ArrayDeque<>();
        for (int i = 0; i < sigmas.length - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                double sigma = sigmas[i];
                double next = sigmas[i + 1];
                Tensor denoised = run.denoise(x, sigma);
                run.report(i, start, denoised);
                Tensor d = toD(x, denoised, sigma);
                Tensor xNext;
                if (next == 0) {
                    xNext = denoised;
                } else {
                    double[] b = weights.apply(i);
                    double[] c = new double[b.length];
                    for (int j = 0; j < b.length; j++) {
                        c[j] = (next - sigma) * b[j];
                    }
                    xNext = combine(x, c, d, history);
                }
                remember(step, history, d, IPNDM_ORDER - 1);
                x = step.carry(x, xNext);
            }
        }
        return x;
    }

    /** Fixed-step Adams–Bashforth weights of order 1 to 4, newest derivative first. */
    private static double[] adamsBashforthWeights(int order) {
        return switch (order) {
            case 1 -> new double[] {1.0};
            case 2 -> new double[] {3.0 / 2, -1.0 / 2};
            case 3 -> new double[] {23.0 / 12, -16.0 / 12, 5.0 / 12};
            case 4 -> new double[] {55.0 / 24, -59.0 / 24, 37.0 / 24, -9.0 / 24};
            default -> throw new IllegalArgumentException("order " + order);
        };
    }

    /**
     * The variable-step iPNDM weights of Zhou et al. 2024 (their diff-solvers code, which ComfyUI uses), newest
     * first. With h = σ_{i+1} − σ_i, h₁ = σ_i − σ_{i−1}, h₂ = σ_{i−1} − σ_{i−2}, h₃ = σ_{i−2} − σ_{i−3}, r = h/h₁:
     * order 2 is (1 + r/2, −r/2); order 3 adds τ₁·(1, −(1 + h₁/h₂), h₁/h₂) with τ₁ = (1 − h²/(3h₁(h₁+h₂)))/2;
     * order 4 adds τ₂·(1, −(1 + a + q), a + q(1 + h₂/h₃), −q·a) with a = h₁/h₂, q = h₁(h₁+h₂)/(h₂(h₂+h₃)) and
     * τ₂ = ((1 − h/(3(h+h₁)))/2 + (1 − h/(2(h+h₁)))·h/(6(h+h₁+h₂)))·h(h+h₁)(h+h₁+h₂)/(h₁(h₁+h₂)(h₁+h₂+h₃)).
     * All reduce to the fixed-step weights for equal steps. (For unequal steps the order-4 weights do not sum to 1;
     * they are kept as the reference has them.)
     */
    private static double[] variableStepWeights(double[] sigmas, int i, int order) {
        double[] w = new double[order];
        w[0] = 1.0;
        if (order == 1) {
            return w;
        }
        double h = sigmas[i + 1] - sigmas[i];
        double h1 = sigmas[i] - sigmas[i - 1];
        double r = h / h1;
        w[0] += r / 2;
        w[1] = -r / 2;
        if (order == 2) {
            return w;
        }
        double h2 = sigmas[i - 1] - sigmas[i - 2];
        double a = h1 / h2;
        double tau1 = (1 - h / (3 * (h + h1)) * (h * (h + h1)) / (h1 * (h1 + h2))) / 2;
        w[0] += tau1;
        w[1] -= (1 + a) * tau1;
        w[2] = a * tau1;
        if (order == 3) {
            return w;
        }
        double h3 = sigmas[i - 2] - sigmas[i - 3];
        double q = h1 * (h1 + h2) / (h2 * (h2 + h3));
        double tau2 = ((1 - h / (3 * (h + h1))) / 2 + (1 - h / (2 * (h + h1))) * h / (6 * (h + h1 + h2)))
                * (h * (h + h1) * (h + h1 + h2)) / (h1 * (h1 + h2) * (h1 + h2 + h3));
        w[0] += tau2;
        w[1] -= (1 + a + q) * tau2;
        w[2] += (a + q * (1 + h2 / h3)) * tau2;
        w[3] = -q * a * tau2;
        return w;
    }

    /**
     * The DEIS coefficients over [tCur, tNext] for the Lagrange basis over {@code nodes} (newest first): the
     * reference's left-and-right-inclusive Riemann sum Σ_n f(τ_n)·(tNext − tCur)/N, τ_n = linspace(tCur, tNext, N).
     */
    private static double[] deisCoefficients(double[] nodes, double tCur, double tNext) {
        double[] c = new double[nodes.length];
        double dtau = (tNext - tCur) / DEIS_POINTS;
        double spacing = (tNext - tCur) / (DEIS_POINTS - 1);
        for (int n = 0; n < DEIS_POINTS; n++) {
            double tau = n < DEIS_POINTS / 2 ? tCur + n * spacing : tNext - (DEIS_POINTS - 1 - n) * spacing;
            double dSigma = vpSigmaRate(tau);
            for (int j = 0; j < nodes.length; j++) {
                c[j] += dSigma * Lagrange.basis(nodes, j, tau);
            }
        }
        for (int j = 0; j < c.length; j++) {
            c[j] *= dtau;
        }
        return c;
    }

    /** t(σ) = (√(β_min² + 2β_d·ln(σ² + 1)) − β_min)/β_d for every σ of the schedule, in float32. */
    private static double[] vpTimes(double[] sigmas) {
        double[] t = new double[sigmas.length];
        for (int i = 0; i < sigmas.length; i++) {
            t[i] = vpTime((float) sigmas[i]);
        }
        return t;
    }

    private static float vpTime(float sigma) {
        float log = (float) Math.log(sigma * sigma + 1f);
        float root = (float) Math.sqrt(VP_BETA_MIN * VP_BETA_MIN + 2f * VP_BETA_D * log);
        return (root - VP_BETA_MIN) / VP_BETA_D;
    }

    /** dσ/dt = −½·(d ln α/dt)/√(α(1 − α)) = ½(t(β₁ − β₀) + β₀)/√(α(1 − α)). */
    private static double vpSigmaRate(double t) {
        double alpha = Math.exp(-0.5 * t * t * VP_BETA_SLOPE - t * VP_BETA_0);
        return 0.5 * (t * VP_BETA_SLOPE + VP_BETA_0) / Math.sqrt(alpha * (1 - alpha));
    }

    /** x + c₀·d + Σ_{k≥1} c_k·(k-th newest entry of history). */
    private static Tensor combine(Tensor x, double[] c, Tensor d, Deque<Tensor> history) {
        List<Tensor> previous = new ArrayList<>(history);
        Tensor sum = plus(x, c[0], d);
        for (int k = 1; k < c.length; k++) {
            sum = plus(sum, c[k], previous.get(k - 1));
        }
        return sum;
    }

    /** Keeps d as the newest history entry beyond this step, freeing the oldest beyond {@code capacity}. */
    private static void remember(SamplerRun.Step step, Deque<Tensor> history, Tensor d, int capacity) {
        history.addFirst(step.keep(d));
        while (history.size() > capacity) {
            step.drop(history.removeLast());
        }
    }
}
