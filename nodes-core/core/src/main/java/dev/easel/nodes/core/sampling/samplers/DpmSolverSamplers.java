package dev.easel.nodes.core.sampling.samplers;

import dev.easel.nodes.core.sampling.SamplerRun;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * DPM-Solver (Lu et al. 2022, "DPM-Solver: A Fast ODE Solver for Diffusion Probabilistic Model Sampling in Around 10
 * Steps", arXiv:2206.00927) in t = −ln σ with the noise prediction ε (see {@link DpmSolver}). Like the reference
 * KSampler, both ignore the intermediate σ of the schedule and integrate from σ_max = σ₀ to σ_min = the last non-zero
 * σ; the result is the latent at σ_min (no final denoising step). Both run deterministically (η = 0) and draw no noise.
 */
public final class DpmSolverSamplers {

    private DpmSolverSamplers() {
    }

    /**
     * DPM-Solver-fast (the paper's Sec. 5 "fast" schedule): with K = len(σ) − 1 model calls, M = ⌊K/3⌋ + 1 steps
     * uniform in t, all of order 3 except the tail: [3,…,3, 2, 1] when 3 | K, else [3,…,3, K mod 3]. Reports each
     * step before taking it.
     */
    public static Tensor dpmFast(SamplerRun run, Tensor x, double[] sigmas) {
        if (sigmas.length <= 1) {
            return x;
        }
        int nfe = sigmas.length - 1;
        double tStart = DpmSolver.t(sigmas[0]);
        double tEnd = DpmSolver.t(sigmaMin(sigmas));
        int[] orders = fastOrders(nfe);
        int m = nfe / 3 + 1;
        DpmSolver solver = new DpmSolver(run);
        for (int i = 0; i < orders.length; i++) {
            try (SamplerRun.Step step = run.step()) {
                double t = tStart + (tEnd - tStart) * i / m;
                double tNext = tStart + (tEnd - tStart) * (i + 1) / m;
                Tensor eps = solver.eps(x, t);
                run.report(i, x, DpmSolver.denoised(x, t, eps));
                x = step.carry(x, solver.step(orders[i], x, t, tNext, eps));
            }
        }
        return x;
    }

    /**
     * DPM-Solver-23 with adaptive step size (the paper's Algorithm 6 for orders 2/3): each try takes a second- and a
     * third-order step from t to min(t + h, t_end) (three model calls), measures their scaled difference with
     * rtol 0.05, atol 0.0078, and lets the I-controller (k_I = 1, order 3, safety 0.81, h₀ = 0.05) accept or reject
     * it and rescale h. Every try is reported after it is taken (x unchanged when rejected), with the prediction at
     * its start.
     */
    public static Tensor dpmAdaptive(SamplerRun run, Tensor x, double[] sigmas) {
        if (sigmas.length <= 1) {
            return x;
        }
        double rtol = 0.05;
        double atol = 0.0078;
        double tStart = DpmSolver.t(sigmas[0]);
        double tEnd = DpmSolver.t(sigmaMin(sigmas));
        boolean forward = tEnd > tStart;
        DpmSolver.StepSizeController pid =
                new DpmSolver.StepSizeController(forward ? 0.05 : -0.05, 0.0, 1.0, 0.0, 3, 0.81);
        DpmSolver solver = new DpmSolver(run);
        double s = tStart;
        Tensor previous = x;
        for (int i = 0; forward ? s < tEnd - 1e-5 : s > tEnd + 1e-5; i++) {
            try (SamplerRun.Step step = run.step()) {
                double t = forward ? Math.min(tEnd, s + pid.h()) : Math.max(tEnd, s + pid.h());
                Tensor eps = solver.eps(x, s);
                Tensor denoised = DpmSolver.denoised(x, s, eps);
                Tensor[] lowHigh = solver.pair23(x, s, t, eps);
                if (pid.propose(DpmSolver.error(lowHigh[0], lowHigh[1], previous, rtol, atol))) {
                    previous = step.carry(previous, lowHigh[0]);
                    x = step.carry(x, lowHigh[1]);
                    s = t;
                }
                run.report(i, x, denoised);
            }
        }
        return x;
    }

    /** The reference's σ_min: the last σ, or the one before it when the schedule ends in 0. */
    private static double sigmaMin(double[] sigmas) {
        double last = sigmas[sigmas.length - 1];
        return last > 0 ? last : sigmas[sigmas.length - 2];
    }

    /** The orders of DPM-Solver-fast's steps for a budget of {@code nfe} model calls. */
    private static int[] fastOrders(int nfe) {
        int m = nfe / 3 + 1;
        int[] orders = new int[m];
        Arrays.fill(orders, 3);
        if (nfe % 3 == 0) {
            orders[m - 2] = 2;
            orders[m - 1] = 1;
        } else {
            orders[m - 1] = nfe % 3;
        }
        return orders;
    }
}
