package dev.easel.nodes.core.sampling.samplers;

import static dev.easel.nodes.core.sampling.SamplerMath.lincomb;
import static dev.easel.nodes.core.sampling.SamplerMath.plus;
import static dev.easel.nodes.core.sampling.SamplerMath.scale;

import dev.easel.nodes.core.sampling.SamplerRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * The multistep UniPC solver of Zhao et al. 2023 ("UniPC: A Unified Predictor-Corrector Framework for Fast Sampling of
 * Diffusion Models": the UniP-p predictor and UniC-p corrector with the paper's two choices of B(h)) in data
 * prediction, on the variance-preserving form of the σ-parametrised ODE: x_vp = x/√(1+σ²), α(σ) = 1/√(1+σ²),
 * σ_vp(σ) = σ/√(1+σ²), λ = ln α − ln σ_vp (= −ln σ); the data prediction at σ is D(x_vp·√(1+σ²), σ).
 *
 * <p>One update from the newest history point s (model value m_s) to t, of order p, with h = λ_t − λ_s, the older
 * points r_k = (λ_{s_k} − λ_s)/h, D_k = (m_{s_k} − m_s)/r_k, and (data prediction) ĥ = −h:
 * <pre>
 *   x_lin = σ_vp(t)/σ_vp(s)·x − α_t·(e^ĥ − 1)·m_s
 *   UniP:  x_t = x_lin − α_t·B(h)·Σ_k ρᵖ_k·D_k          (ρᵖ solves the first p−1 order conditions; ρᵖ = ½ for p = 2)
 *   UniC:  x_t = x_lin − α_t·B(h)·(Σ_k ρᶜ_k·D_k + ρᶜ_p·(m_t − m_s)),   m_t = model(UniP's x_t, t)
 * </pre>
 * The order conditions are Σ_k r_k^{i−1}·ρ_k = b_i = i!·ĥ·φ_{i+1}(ĥ)/B(h) (i = 1…p, r_p = 1), with ĥ·φ_{i+1}(ĥ)
 * computed by g_1 = (e^ĥ − 1)/ĥ − 1, g_{i+1} = g_i/ĥ − 1/(i+1)!; B(h) = ĥ (bh1) or e^ĥ − 1 (bh2); for p = 1 the
 * corrector uses ρᶜ = ½. The model value at UniP's point (not at the corrected one) serves both the corrector and the
 * next update's history, so an update costs one model call.
 *
 * <p>The schedule functions are evaluated in float32 the way the reference does (1 − α² cancels badly for small σ, and
 * that rounding is part of the reference's result at the final σ = 0.001).
 */
final class UniPc {

    /** The paper's choices of B(h). */
    enum Variant {
        /** B(h) = h (ĥ in data prediction). */
        BH1,
        /** B(h) = e^h − 1. */
        BH2
    }

    /** One update's result: the new x_vp and the model value at UniP's point (null without corrector). */
    record Update(Tensor x, Tensor model) {
    }

    private final SamplerRun run;
    private final Variant variant;
    private final int maxHistory;
    private final List<Float> historySigmas = new ArrayList<>();
    private final List<Tensor> historyModels = new ArrayList<>();

    UniPc(SamplerRun run, Variant variant, int maxHistory) {
        this.run = run;
        this.variant = variant;
        this.maxHistory = Math.max(1, maxHistory);
    }

    /** ln α(σ) = ½·ln(1/(1+σ²)), float32. */
    static float logAlpha(float sigma) {
        return 0.5f * (float) Math.log(1f / (sigma * sigma + 1f));
    }

    /** α(σ), float32. */
    static float alpha(float sigma) {
        return (float) Math.exp(logAlpha(sigma));
    }

    /** σ_vp(σ) = √(1 − α²), float32. */
    static float std(float sigma) {
        return (float) Math.sqrt(1f - (float) Math.exp(2f * logAlpha(sigma)));
    }

    /** λ(σ) = ln α − ½·ln(1 − α²), float32. */
    static float lambda(float sigma) {
        float logAlpha = logAlpha(sigma);
        return logAlpha - 0.5f * (float) Math.log(1f - (float) Math.exp(2f * logAlpha));
    }

    /** The data prediction at VP point x_vp and noise level σ: D(x_vp·√(1+σ²), σ); one model call. */
    Tensor model(Tensor xVp, float sigma) {
        float toVe = (float) Math.sqrt(sigma * sigma + 1f);
        return run.denoise(xVp.mul(new Scalar(toVe)), sigma);
    }

    /** Appends (σ, m) to the history, keeping it beyond the step; the oldest entry beyond the order is dropped. */
    void push(SamplerRun.Step step, float sigma, Tensor model) {
        historySigmas.add(sigma);
        historyModels.add(step.keep(model));
        if (historyModels.size() > maxHistory) {
            historySigmas.remove(0);
            step.drop(historyModels.remove(0));
        }
    }

    /** The newest model value. */
    Tensor newestModel() {
        return historyModels.get(historyModels.size() - 1);
    }

    /**
     * One multistep update of order {@code order} (at most the history length) from the newest history point to
     * {@code sigmaT}; with {@code correct}, evaluates the model at the predicted point and applies UniC.
     */
    Update update(Tensor x, float sigmaT, int order, boolean correct) {
        int newest = historyModels.size() - 1;
        float sigmaS = historySigmas.get(newest);
        Tensor ms = historyModels.get(newest);
        double lambdaS = lambda(sigmaS);
        double h = lambda(sigmaT) - lambdaS;

        double[] r = new double[order];
        Tensor[] d = new Tensor[order - 1];
        for (int k = 1; k < order; k++) {
            r[k - 1] = (lambda(historySigmas.get(newest - k)) - lambdaS) / h;
            d[k - 1] = historyModels.get(newest - k).sub(ms).div(new Scalar(r[k - 1]));
        }
        r[order - 1] = 1.0;

        double hh = -h;
        double hPhi1 = Math.expm1(hh);
        double bh = variant == Variant.BH1 ? hh : hPhi1;
        double[] b = new double[order];
        double g = hPhi1 / hh - 1.0;
        double factorial = 1.0;
        for (int i = 1; i <= order; i++) {
            b[i - 1] = g * factorial / bh;
            factorial *= i + 1;
            g = g / hh - 1.0 / factorial;
        }

        double alphaT = alpha(sigmaT);
        double ratio = (double) (std(sigmaT) / std(sigmaS));
        Tensor xLin = lincomb(ratio, x, -alphaT * hPhi1, ms);

        Tensor predicted = xLin;
        if (order >= 2) {
            double[] rhoP = order == 2 ? new double[] {0.5}
                    : LagrangeWeights.solve(Arrays.copyOf(r, order - 1),
                            Arrays.copyOf(b, order - 1));
            predicted = plus(xLin, -alphaT * bh, combine(rhoP, d, order - 1));
        }
        if (!correct) {
            return new Update(predicted, null);
        }

        Tensor mt = model(predicted, sigmaT);
        double[] rhoC = order == 1 ? new double[] {0.5} : LagrangeWeights.solve(r, b);
        Tensor correction = scale(rhoC[order - 1], mt.sub(ms));
        if (order >= 2) {
            correction = correction.add(combine(rhoC, d, order - 1));
        }
        return new Update(plus(xLin, -alphaT * bh, correction), mt);
    }

    /** Σ_{k < n} ρ_k·D_k. */
    private static Tensor combine(double[] rho, Tensor[] d, int n) {
        Tensor sum = scale(rho[0], d[0]);
        for (int k = 1; k < n; k++) {
            sum = plus(sum, rho[k], d[k]);
        }
        return sum;
    }
}
