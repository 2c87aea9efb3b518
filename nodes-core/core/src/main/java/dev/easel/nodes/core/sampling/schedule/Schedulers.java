package dev.easel.nodes.core.sampling.schedule;

import dev.easel.nodes.core.unet.DiscreteSchedule;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.statistics.distribution.BetaDistribution;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The σ schedulers a ComfyUI user picks by name (KSampler's "scheduler" input): for a model's discrete noise schedule
 * and a number of steps, the decreasing noise levels σ₀ > σ₁ > … the sampler walks through, usually ending in 0.
 *
 * <p>Values are computed in double and returned rounded to float32, the precision of the reference's tensors. A
 * schedule of n steps has n + 1 values, except where the reference's own rule gives another count ("ddim_uniform"
 * strides the 1000 timesteps and may give more; "beta" drops repeated timesteps and may give fewer).
 */
public final class Schedulers {

    /** A scheduler: the schedule of {@code steps} steps for a model's discrete schedule. */
    @FunctionalInterface
    private interface Scheduler {
        double[] sigmas(DiscreteSchedule schedule, int steps);
    }

    /** Karras et al.'s ρ (their Table 1: ρ = 7). */
    private static final double KARRAS_RHO = 7.0;
    /** Lee et al. 2024 use Beta(0.6, 0.6) for the timestep density. */
    private static final BetaDistribution BETA = BetaDistribution.of(0.6, 0.6);
    /** Mochi's linear-quadratic schedule: the linear part ends at 1 − σ/σ_max = 0.025. */
    private static final double LINEAR_QUADRATIC_THRESHOLD = 0.025;
    /** ComfyUI treats a σ within this of 0 as zero (models whose smallest σ is 0). */
    private static final double ZERO_SIGMA = 1e-5;

    private static final Map<String, Scheduler> SCHEDULERS = new LinkedHashMap<>();

    static {
        SCHEDULERS.put("simple", Schedulers::simple);
        SCHEDULERS.put("sgm_uniform", Schedulers::sgmUniform);
        SCHEDULERS.put("karras", (s, n) -> karras(n, s.sigmaMin(), s.sigmaMax(), KARRAS_RHO));
        SCHEDULERS.put("exponential", (s, n) -> exponential(n, s.sigmaMin(), s.sigmaMax()));
        SCHEDULERS.put("ddim_uniform", Schedulers::ddimUniform);
        SCHEDULERS.put("beta", Schedulers::beta);
        SCHEDULERS.put("normal", Schedulers::normal);
        SCHEDULERS.put("linear_quadratic", (s, n) -> linearQuadratic(n, s.sigmaMax()));
        SCHEDULERS.put("kl_optimal", (s, n) -> klOptimal(n, s.sigmaMin(), s.sigmaMax()));
    }

    private static final List<String> NAMES = List.copyOf(SCHEDULERS.keySet());

    private Schedulers() {
    }

    /**
     * ComfyUI's SCHEDULER_NAMES order: simple, sgm_uniform, karras, exponential, ddim_uniform, beta, normal,
     * linear_quadratic, kl_optimal.
     */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * The schedule of {@code steps} steps (steps+1 values, usually ending in 0) for a scheduler name; unknown name →
     * IllegalArgumentException naming the choices.
     */
    public static double[] sigmas(String scheduler, DiscreteSchedule schedule, int steps) {
        Scheduler s = scheduler == null ? null : SCHEDULERS.get(scheduler);
        if (s == null) {
            throw new IllegalArgumentException("unknown scheduler '" + scheduler + "'; choices: "
                    + String.join(", ", NAMES));
        }
        requireSteps(steps);
        return s.sigmas(schedule, steps);
    }

    /**
     * What the KSampler uses: denoise < 1 (compute int(steps/denoise) steps and keep the last steps+1; denoise ≤ 0 →
     * empty array), discardPenultimate (compute steps+1 and drop the second to last).
     *
     * <p>As ComfyUI's {@code KSampler.set_steps}: denoise above 0.9999 counts as 1. A partial denoise starts the
     * longer schedule part-way, so the image keeps the structure the first steps would have replaced. Samplers that
     * take two model calls per step and end on σ_min (DPM2, UniPC) compute one step more and drop the value before the
     * final 0, so their last step goes straight to 0.
     */
    public static double[] forKSampler(String scheduler, DiscreteSchedule schedule, int steps, double denoise,
            boolean discardPenultimate) {
        requireSteps(steps);
        if (Double.isNaN(denoise)) {
            throw new IllegalArgumentException("denoise is NaN");
        }
        if (denoise > 0.9999) {
            return kSamplerSigmas(scheduler, schedule, steps, discardPenultimate);
        }
        if (denoise <= 0) {
            return new double[0];
        }
        double total = Math.floor(steps / denoise);
        if (total > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("steps/denoise = " + total + " steps is too many");
        }
        double[] all = kSamplerSigmas(scheduler, schedule, (int) total, discardPenultimate);
        return Arrays.copyOfRange(all, Math.max(0, all.length - (steps + 1)), all.length);
    }

    private static double[] kSamplerSigmas(String scheduler, DiscreteSchedule schedule, int steps,
            boolean discardPenultimate) {
        if (!discardPenultimate) {
            return sigmas(scheduler, schedule, steps);
        }
        double[] s = sigmas(scheduler, schedule, steps + 1);
        double[] out = Arrays.copyOf(s, s.length - 1);
        out[out.length - 1] = s[s.length - 1];
        return out;
    }

    /**
     * Karras et al. 2022 eq. 5 (rho-spaced), n steps + final 0.
     *
     * <p>σ_i = (σ_max^{1/ρ} + i/(n−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ for i = 0 … n−1 (Karras et al., "Elucidating
     * the Design Space of Diffusion-Based Generative Models", 2022): evenly spaced in σ^{1/ρ}, so larger ρ puts more
     * steps at small σ. One step is σ_max alone.
     */
    public static double[] karras(int n, double sigmaMin, double sigmaMax, double rho) {
        requireSteps(n);
        requireRange(sigmaMin, sigmaMax, 0);
        if (!(rho > 0)) {
            throw new IllegalArgumentException("rho must be > 0, got " + rho);
        }
        double minInvRho = Math.pow(sigmaMin, 1 / rho);
        double maxInvRho = Math.pow(sigmaMax, 1 / rho);
        double[] out = new double[n + 1];
        for (int i = 0; i < n; i++) {
            out[i] = f32(Math.pow(maxInvRho + ramp(i, n) * (minInvRho - maxInvRho), rho));
        }
        return out;
    }

    /**
     * log-linear from sigmaMax to sigmaMin, n steps + final 0.
     *
     * <p>σ_i = exp(ln σ_max + i/(n−1)·(ln σ_min − ln σ_max)) (k-diffusion's {@code get_sigmas_exponential}): a
     * constant ratio σ_{i+1}/σ_i, i.e. equal steps in the log-SNR λ = −ln σ that DPM-Solver works in.
     */
    public static double[] exponential(int n, double sigmaMin, double sigmaMax) {
        requireSteps(n);
        requireRange(sigmaMin, sigmaMax, Double.MIN_VALUE);
        double logMin = Math.log(sigmaMin);
        double logMax = Math.log(sigmaMax);
        double[] out = new double[n + 1];
        for (int i = 0; i < n; i++) {
            out[i] = f32(Math.exp(logMax + ramp(i, n) * (logMin - logMax)));
        }
        return out;
    }

    /**
     * "simple" (ComfyUI): n entries of the model's own σ table read from the top with a stride of N/n (N = 1000
     * timesteps, the index truncated), σ_i = table[N − 1 − ⌊i·N/n⌋], then 0.
     */
    static double[] simple(DiscreteSchedule schedule, int steps) {
        float[] table = schedule.sigmas();
        double stride = (double) table.length / steps;
        double[] out = new double[steps + 1];
        for (int i = 0; i < steps; i++) {
            out[i] = table[table.length - 1 - (int) (i * stride)];
        }
        return out;
    }

    /**
     * "ddim_uniform" (the DDIM paper's uniform timestep skipping, Song et al. 2021, as in LDM/ComfyUI): the table
     * entries at timesteps 1, 1 + c, 1 + 2c, … below N with c = ⌊N/steps⌋, from the top, then 0. Counting from
     * timestep 1, the integer stride gives ⌈(N − 1)/c⌉ entries, which is more than {@code steps} when c does not
     * divide N − 1 evenly (30 steps: 31 entries). For a model whose σ at timestep 1 is 0 that entry is the final 0
     * itself and one step more is taken.
     */
    static double[] ddimUniform(DiscreteSchedule schedule, int steps) {
        float[] table = schedule.sigmas();
        boolean zeroAtOne = Math.abs(table[1]) <= ZERO_SIGMA;
        int stride = Math.max(table.length / (zeroAtOne ? steps + 1 : steps), 1);
        int count = (table.length - 1 + stride - 1) / stride;
        double[] out = new double[zeroAtOne ? count : count + 1];
        for (int k = 0; k < count; k++) {
            out[count - 1 - k] = table[1 + k * stride];
        }
        return out;
    }

    /**
     * "normal" (k-diffusion/ComfyUI): timesteps evenly spaced from t(σ_max) down to t(σ_min), mapped back to σ
     * through the model's log-linear σ(t), then 0. When σ(t(σ_min)) is 0 already, one more timestep is taken and no 0
     * is appended.
     */
    static double[] normal(DiscreteSchedule schedule, int steps) {
        double start = schedule.timestep(schedule.sigmaMax());
        double end = schedule.timestep(schedule.sigmaMin());
        boolean endsAtZero = Math.abs(schedule.sigma(end)) <= ZERO_SIGMA;
        int count = endsAtZero ? steps + 1 : steps;
        double[] t = new double[count];
        for (int i = 0; i < count; i++) {
            t[i] = start + ramp(i, count) * (end - start);
        }
        return sigmasAt(schedule, t, endsAtZero ? count : count + 1);
    }

    /**
     * "sgm_uniform" (Stability's SGM/SDXL discretisation): {@code steps + 1} timesteps evenly spaced from t(σ_max) to
     * t(σ_min), the last dropped (so the schedule never reaches σ_min), mapped to σ, then 0.
     */
    static double[] sgmUniform(DiscreteSchedule schedule, int steps) {
        double start = schedule.timestep(schedule.sigmaMax());
        double end = schedule.timestep(schedule.sigmaMin());
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            t[i] = start + (double) i / steps * (end - start);
        }
        return sigmasAt(schedule, t, steps + 1);
    }

    /**
     * "beta" (Lee et al. 2024, "Beta Sampling is All You Need"): timesteps t_i = round((N − 1)·F⁻¹(1 − i/steps)) for
     * i = 0 … steps−1, F the CDF of Beta(0.6, 0.6), which crowds the steps at both ends of the schedule; σ_i =
     * table[t_i], a timestep equal to the one before it skipped, then 0.
     */
    static double[] beta(DiscreteSchedule schedule, int steps) {
        float[] table = schedule.sigmas();
        int last = table.length - 1;
        double[] out = new double[steps + 1];
        int count = 0;
        double previous = -1;
        for (int i = 0; i < steps; i++) {
            double t = Math.rint(betaQuantile(1.0 - i * (1.0 / steps)) * last);
            if (t != previous) {
                out[count++] = table[(int) t];
            }
            previous = t;
        }
        return Arrays.copyOf(out, count + 1);
    }

    /**
     * F⁻¹(p) of Beta(0.6, 0.6). The distribution is symmetric, so its median is exactly 1/2; the library's root
     * finder lands one ulp below it, which would turn the tie (N − 1)/2 = 499.5 (every even step count hits it) into
     * timestep 499 instead of the reference's round-half-to-even 500.
     */
    private static double betaQuantile(double p) {
        return p == 0.5 ? 0.5 : BETA.inverseCumulativeProbability(p);
    }

    /**
     * "linear_quadratic" (Genmo's Mochi 1 schedule, scaled by σ_max): in u = 1 − σ/σ_max, the first L = ⌊steps/2⌋
     * steps rise linearly to the threshold τ = 0.025 (u_i = i·τ/L), the remaining Q = steps − L follow the quadratic
     * u_i = a·i² + b·i + a·L² with a = (L − τ·steps)/(L·Q²), b = τ/L − 2(L − τ·steps)/Q², which continues the line at
     * i = L and reaches u = 1 (σ = 0) at i = steps. One step is σ_max, 0.
     */
    static double[] linearQuadratic(int steps, double sigmaMax) {
        double tau = LINEAR_QUADRATIC_THRESHOLD;
        double[] out = new double[steps + 1];
        if (steps == 1) {
            out[0] = f32(sigmaMax);
            return out;
        }
        int linear = steps / 2;
        int quadratic = steps - linear;
        double a = (linear - tau * steps) / ((double) linear * quadratic * quadratic);
        double b = tau / linear - 2 * (linear - tau * steps) / ((double) quadratic * quadratic);
        double c = a * linear * linear;
        for (int i = 0; i < steps; i++) {
            double u = i < linear ? i * tau / linear : a * i * i + b * i + c;
            out[i] = f32(f32(1 - u) * f32(sigmaMax));
        }
        return out;
    }

    /**
     * "kl_optimal" (Sabour et al. 2024, "Align Your Steps: Optimizing Sampling Schedules in Diffusion Models", the
     * schedule optimal under their KL bound for a Gaussian data distribution): σ_i = tan((1 − i/(n−1))·atan σ_max +
     * i/(n−1)·atan σ_min), evenly spaced in atan σ, then 0. One step is σ_max (the reference divides 0 by 0 there and
     * returns NaN).
     */
    static double[] klOptimal(int n, double sigmaMin, double sigmaMax) {
        double atanMin = Math.atan(sigmaMin);
        double atanMax = Math.atan(sigmaMax);
        double[] out = new double[n + 1];
        for (int i = 0; i < n; i++) {
            double w = ramp(i, n);
            out[i] = f32(Math.tan(w * atanMin + (1 - w) * atanMax));
        }
        return out;
    }

    /** σ(t) of the model at each timestep, float32, in an array of {@code length} (the rest 0). */
    private static double[] sigmasAt(DiscreteSchedule schedule, double[] timesteps, int length) {
        float[] t = new float[timesteps.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) timesteps[i];
        }
        float[] s = new float[t.length];
        try (PointerScope scope = new PointerScope()) {
            schedule.sigma(Tensor.create(t)).contiguous().data_ptr_float().get(s);
        }
        double[] out = new double[length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i];
        }
        return out;
    }

    /** i/(n−1), the points of linspace(0, 1, n); 0 when n = 1. */
    private static double ramp(int i, int n) {
        return n == 1 ? 0 : (double) i / (n - 1);
    }

    private static double f32(double v) {
        return (float) v;
    }

    private static void requireSteps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        }
    }

    private static void requireRange(double sigmaMin, double sigmaMax, double lowest) {
        if (!(sigmaMin >= lowest && sigmaMax >= sigmaMin && Double.isFinite(sigmaMax))) {
            throw new IllegalArgumentException("need " + lowest + " ≤ sigmaMin ≤ sigmaMax < ∞, got sigmaMin = "
                    + sigmaMin + ", sigmaMax = " + sigmaMax);
        }
    }
}
