package dev.easel.nodes.core.sampling.samplers;

import static dev.easel.nodes.core.sampling.SamplerMath.plus;
import static dev.easel.nodes.core.sampling.SamplerMath.scale;

import dev.easel.nodes.core.sampling.SamplerRun;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * SA-Solver (Xue et al. 2023, "SA-Solver: Stochastic Adams Solver for Fast Sampling of Diffusion Models"):
 * a stochastic Adams predictor of order 3 and corrector of order 4 in data prediction and λ = −ln σ, with the
 * coefficients of {@link StochasticAdams}. τ = 1 (the SDE) only while σ_next lies in the middle of the schedule
 * ({@link StochasticAdams#tau}), τ = 0 (the ODE) elsewhere, so noise is drawn only for those steps.
 *
 * <p>Step i evaluates D_i = D(x̃_i, σ_i) at the predicted state x̃_i (reported with it), then
 * <pre>
 *   corrector (i ≥ 1):  x_i = (σ_i/σ_{i−1})·e^{−τ²h}·x_{i−1} + Σ_j b_j·D_j + ξ_{i−1}    (nodes λ_{i−c+1}…λ_i, the ξ of
 *                                                                                    the predictor that led here)
 *   predictor:          x̃_{i+1} = (σ_{i+1}/σ_i)·e^{−τ²h}·x_i + Σ_j b_j·D_j + ξ_i,
 *                       ξ_i = σ_{i+1}·√(1 − e^{−2τ²h})·z     (nodes λ_{i−p+1}…λ_i)
 * </pre>
 * with orders lowered at the start (history length) and the end (p ≤ N−1−i, c ≤ N−i for N steps ending at σ = 0).
 * The last step returns D instead of predicting to σ = 0; without PECE it also skips the corrector. PECE re-evaluates
 * D at the corrected state and uses it in place of D_i (one extra model call per step after the first).
 */
public final class SaSolverSamplers {

    private static final int PREDICTOR_ORDER = 3;
    private static final int CORRECTOR_ORDER = 4;

    private SaSolverSamplers() {
    }

    /** Predict–evaluate–correct: N model calls for N steps. */
    public static Tensor saSolver(SamplerRun run, Tensor x, double[] sigmas) {
        return sample(run, x, sigmas, false);
    }

    /** Predict–evaluate–correct–evaluate: 2N − 1 model calls for N steps. */
    public static Tensor saSolverPece(SamplerRun run, Tensor x, double[] sigmas) {
        return sample(run, x, sigmas, true);
    }

    private static Tensor sample(SamplerRun run, Tensor x, double[] sigmas, boolean pece) {
        int n = sigmas.length;
        if (n <= 1) {
            return x;
        }
        double[] lambda = new double[n];
        for (int i = 0; i < n; i++) {
            lambda[i] = -Math.log(sigmas[i]);
        }
        boolean lowerOrderToEnd = sigmas[n - 1] == 0;
        List<Tensor> history = new ArrayList<>();
        Tensor predicted = x;
        Tensor noise = null;
        double tau = 0.0;
        double h = 0.0;
        for (int i = 0; i < n - 1; i++) {
            try (SamplerRun.Step step = run.step()) {
                Tensor denoised = run.denoise(predicted, sigmas[i]);
                run.report(i, predicted, denoised);
                history.add(step.keep(denoised));
                if (history.size() > Math.max(PREDICTOR_ORDER, CORRECTOR_ORDER)) {
                    step.drop(history.remove(0));
                }

                int p = Math.min(PREDICTOR_ORDER, history.size());
                int c = i == 0 || (sigmas[i + 1] == 0 && !pece) ? 0 : Math.min(CORRECTOR_ORDER, history.size());
                if (lowerOrderToEnd) {
                    p = Math.min(p, n - 2 - i);
                    c = Math.min(c, n - 1 - i);
                }

                Tensor current = predicted;
                if (c > 0) {
                    double[] b = StochasticAdams.coefficients(slice(lambda, i - c + 1, i + 1), lambda[i - 1],
                            lambda[i], tau);
                    current = scale(sigmas[i] / sigmas[i - 1] * Math.exp(-tau * tau * h), x)
                            .add(adams(b, history));
                    if (tau > 0) {
                        current = current.add(noise);
                    }
                    if (pece) {
                        denoised = run.denoise(current, sigmas[i]);
                        step.drop(history.remove(history.size() - 1));
                        history.add(step.keep(denoised));
                    }
                }

                Tensor next;
                Tensor nextNoise = null;
                if (sigmas[i + 1] == 0) {
                    next = denoised;
                } else {
                    tau = StochasticAdams.tau(sigmas[i + 1]);
                    double[] b = StochasticAdams.coefficients(slice(lambda, i - p + 1, i + 1), lambda[i],
                            lambda[i + 1], tau);
                    h = lambda[i + 1] - lambda[i];
                    next = scale(sigmas[i + 1] / sigmas[i] * Math.exp(-tau * tau * h), current)
                            .add(adams(b, history));
                    if (tau > 0) {
                        nextNoise = scale(sigmas[i + 1] * Math.sqrt(-Math.expm1(-2 * tau * tau * h)),
                                run.noise(sigmas[i], sigmas[i + 1]));
                        next = next.add(nextNoise);
                    }
                }
                x = step.carry(x, current);
                predicted = step.carry(predicted, next);
                noise = step.carry(noise, nextNoise);
            }
        }
        return predicted;
    }

    /** Σ_j b_j·D_j over the newest b.length data predictions (b oldest first). */
    private static Tensor adams(double[] b, List<Tensor> history) {
        int first = history.size() - b.length;
        Tensor sum = scale(b[0], history.get(first));
        for (int j = 1; j < b.length; j++) {
            sum = plus(sum, b[j], history.get(first + j));
        }
        return sum;
    }

    private static double[] slice(double[] a, int from, int to) {
        double[] out = new double[to - from];
        System.arraycopy(a, from, out, 0, to - from);
        return out;
    }
}
