package dev.easel.nodes.core.sampling.samplers;

import static dev.easel.nodes.core.sampling.SamplerMath.scale;

import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Tensor;

/**
 * UniPC (Zhao et al. 2023, "UniPC: A Unified Predictor-Corrector Framework for Fast Sampling of Diffusion Models"):
 * multistep UniP predictor + UniC corrector in data prediction, order min(3, len(σ) − 2), lowered near the end, with
 * the B(h) = h (bh1) or B(h) = e^h − 1 (bh2) coefficients. The step math is in {@link UniPc}; here is the schedule.
 *
 * <p>The solver runs on the VP form of the schedule: x_vp = x/√(1+σ₀²) at the start, times σ_i with a final σ = 0
 * replaced by 0.001, and the result mapped back by 1/α(σ_last). Step 0 evaluates the model at σ₀; step k (1 ≤ k &lt;
 * N, N = len(σ) − 1) is one UniP + UniC update to σ_k of order min(k, order) while warming up and min(order, N + 1 − k)
 * afterwards, costing one model call at the predicted point; the last step also takes a first-order UniP update to
 * σ_N without corrector (no model call). So N model calls for N steps. Reported: x_vp after the step and the newest
 * model value.
 */
public final class UniPcSamplers {

    private UniPcSamplers() {
    }

    /** UniPC with B(h) = h. */
    public static Tensor uniPc(SamplerRun run, Tensor x, double[] sigmas) {
        return sample(run, x, sigmas, UniPc.Variant.BH1);
    }

    /** UniPC with B(h) = e^h − 1. */
    public static Tensor uniPcBh2(SamplerRun run, Tensor x, double[] sigmas) {
        return sample(run, x, sigmas, UniPc.Variant.BH2);
    }

    private static Tensor sample(SamplerRun run, Tensor x, double[] sigmas, UniPc.Variant variant) {
        int n = sigmas.length;
        if (n < 2) {
            return x;
        }
        int steps = n - 1;
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            t[i] = (float) sigmas[i];
        }
        if (sigmas[steps] == 0) {
            t[steps] = 0.001f;
        }
        int order = Math.min(3, n - 2);
        UniPc uniPc = new UniPc(run, variant, order);

        Tensor xv;
        try (SamplerRun.Step step = run.step()) {
            xv = step.keep(scale(1.0 / (float) Math.sqrt(1f + t[0] * t[0]), x));
            Tensor m0 = uniPc.model(xv, t[0]);
            uniPc.push(step, t[0], m0);
            run.report(0, xv, m0);
        }
        for (int k = 1; k < steps; k++) {
            try (SamplerRun.Step step = run.step()) {
                int p = k < order ? k : Math.min(order, steps + 1 - k);
                UniPc.Update u = uniPc.update(xv, t[k], p, true);
                uniPc.push(step, t[k], u.model());
                Tensor next = u.x();
                if (k == steps - 1) {
                    next = uniPc.update(next, t[steps], Math.min(order, 1), false).x();
                }
                run.report(k, next, uniPc.newestModel());
                xv = step.carry(xv, next);
            }
        }
        return scale(1.0 / UniPc.alpha(t[steps]), xv);
    }
}
