package dev.easel.nodes.core.unet;

import static org.bytedeco.pytorch.global.torch.cumprod;
import static org.bytedeco.pytorch.global.torch.index_select;
import static org.bytedeco.pytorch.global.torch.linspace;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The discrete DDPM noise schedule of Stable Diffusion in σ form (ComfyUI's {@code ModelSamplingDiscrete}): betas =
 * linspace(√β_start, √β_end, N)² in float64, ᾱ = cumprod(1 − β), σ_i = √((1 − ᾱ_i)/ᾱ_i) kept as float32, ln σ_i
 * taken in float64 and kept as float32. σ → t is the index of the nearest ln σ (as a float); t → σ interpolates
 * ln σ linearly between neighbouring indices. Immutable plain Java arrays (no native memory held).
 */
public final class DiscreteSchedule {

    private final double[] alphasCumprod;
    private final float[] sigmas;
    private final float[] logSigmas;
    /** Timesteps per table entry: 1, or 20 for an LCM-distilled table of 50 ({@link #distilled}). */
    private final int stride;

    private DiscreteSchedule(double[] alphasCumprod, float[] sigmas, float[] logSigmas) {
        this(alphasCumprod, sigmas, logSigmas, 1);
    }

    private DiscreteSchedule(double[] alphasCumprod, float[] sigmas, float[] logSigmas, int stride) {
        this.alphasCumprod = alphasCumprod;
        this.sigmas = sigmas;
        this.logSigmas = logSigmas;
        this.stride = stride;
    }

    /**
     * The schedule a consistency-distilled model was trained on (Luo et al. 2023, "Latent Consistency Models", which
     * distils onto {@code originalSteps} = 50 of the 1000 timesteps; ComfyUI's ModelSamplingDiscreteDistilled): the
     * σ of timesteps 19, 39, …, 999 (every 20th, ending at the last); σ → t gives the nearest of those timesteps, and
     * t → σ interpolates between them.
     */
    public DiscreteSchedule distilled(int originalSteps) {
        int skip = size() / originalSteps;
        float[] s = new float[originalSteps];
        for (int x = 0; x < originalSteps; x++) {
            s[originalSteps - 1 - x] = sigmas[size() - 1 - x * skip];
        }
        float[] ls = new float[originalSteps];
        double[] ac = new double[originalSteps];
        for (int i = 0; i < originalSteps; i++) {
            ls[i] = (float) Math.log(s[i]);
            ac[i] = 1.0 / ((double) s[i] * s[i] + 1.0);
        }
        return new DiscreteSchedule(ac, s, ls, stride * skip);
    }

    /** SD1.x / SD2.x / SDXL: "linear" (scaled) schedule, β from 0.00085 to 0.012 over 1000 steps. */
    public static DiscreteSchedule sd1() {
        return scaledLinear(0.00085, 0.012, 1000);
    }

    /** betas = linspace(√betaStart, √betaEnd, steps)² (LDM's "linear" schedule). */
    public static DiscreteSchedule scaledLinear(double betaStart, double betaEnd, int steps) {
        try (PointerScope scope = new PointerScope()) {
            Tensor root = linspace(new Scalar(Math.sqrt(betaStart)), new Scalar(Math.sqrt(betaEnd)), steps,
                    new TensorOptions(ScalarType.Double));
            Tensor betas = root.mul(root);
            Tensor alphas = betas.neg().add(new Scalar(1.0));
            Tensor ac = cumprod(alphas, 0);
            Tensor sig = ac.neg().add(new Scalar(1.0)).div(ac).sqrt();
            double[] acArr = new double[steps];
            ac.contiguous().data_ptr_double().get(acArr);
            float[] s = new float[steps];
            sig.to(ScalarType.Float).contiguous().data_ptr_float().get(s);
            float[] ls = new float[steps];
            sig.log().to(ScalarType.Float).contiguous().data_ptr_float().get(ls);
            return new DiscreteSchedule(acArr, s, ls);
        }
    }

    /**
     * The same schedule rescaled to zero terminal SNR (Lin et al. 2024, "Common Diffusion Noise Schedules and Sample
     * Steps are Flawed", Algorithm 1): √ᾱ is shifted and scaled so that its last value becomes 0 while its first stays;
     * the last ᾱ is then set to 4.8973451890853435e-08 (as the reference does) so that σ_max stays finite (≈ 4518).
     * Computed in float32 from the float32 σ table, as ComfyUI's ModelSamplingDiscrete(zsnr) does.
     */
    public DiscreteSchedule withZeroTerminalSnr() {
        try (PointerScope scope = new PointerScope()) {
            Tensor sig = Tensor.create(sigmas);
            Tensor sqrtAc = sig.mul(sig).add(new Scalar(1.0)).reciprocal().sqrt();
            Tensor first = sqrtAc.narrow(0, 0, 1).clone();
            Tensor last = sqrtAc.narrow(0, size() - 1, 1).clone();
            Tensor rescaled = sqrtAc.sub(last).mul(first.div(first.sub(last)));
            Tensor ac = rescaled.mul(rescaled);
            ac.narrow(0, size() - 1, 1).fill_(new Scalar(4.8973451890853435e-08));
            Tensor newSigmas = ac.neg().add(new Scalar(1.0)).div(ac).sqrt();
            float[] s = new float[size()];
            newSigmas.contiguous().data_ptr_float().get(s);
            float[] ls = new float[size()];
            newSigmas.log().contiguous().data_ptr_float().get(ls);
            double[] acArr = new double[size()];
            for (int i = 0; i < acArr.length; i++) {
                acArr[i] = 1.0 / ((double) s[i] * s[i] + 1.0);
            }
            return new DiscreteSchedule(acArr, s, ls);
        }
    }

    /** Number of discrete timesteps (1000). */
    public int size() {
        return sigmas.length;
    }

    /** The σ table, index = timestep (a copy). */
    public float[] sigmas() {
        return sigmas.clone();
    }

    /** ln σ per timestep (a copy). */
    public float[] logSigmas() {
        return logSigmas.clone();
    }

    /** ᾱ per timestep, float64 (a copy). */
    public double[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** σ[0] (≈ 0.0292 for SD). */
    public double sigmaMin() {
        return sigmas[0];
    }

    /** σ[N−1] (≈ 14.6146 for SD). */
    public double sigmaMax() {
        return sigmas[sigmas.length - 1];
    }

    /**
     * The discrete timestep of each σ: index of the nearest ln σ_i (first on ties), as float32, same shape as
     * {@code sigma}. Owned by the caller's scope.
     */
    public Tensor timestep(Tensor sigma) {
        return UNetModel.scoped(() -> {
            Tensor s = sigma.to(ScalarType.Float);
            Tensor table = Tensor.create(logSigmas).to(s);
            Tensor dists = s.reshape(1, -1).log().sub(table.unsqueeze(1)).abs();
            Tensor index = dists.argmin(new LongOptional(0), false);
            if (stride > 1) {
                index = index.mul(new Scalar((long) stride)).add(new Scalar((long) stride - 1));
            }
            return index.to(ScalarType.Float).reshape(sigma.shape());
        });
    }

    /** σ at (possibly fractional) timesteps: exp of the linear interpolation of ln σ, t clamped to [0, N−1]. */
    public Tensor sigma(Tensor timestep) {
        return UNetModel.scoped(() -> {
            Tensor t = timestep.to(ScalarType.Float);
            if (stride > 1) {
                t = t.sub(new Scalar((double) stride - 1)).div(new Scalar((double) stride));
            }
            t = t.clamp(new ScalarOptional(new Scalar(0.0)), new ScalarOptional(new Scalar((double) size() - 1)));
            Tensor table = Tensor.create(logSigmas).to(t);
            Tensor flat = t.reshape(-1);
            Tensor low = index_select(table, 0, flat.floor().to(ScalarType.Long));
            Tensor high = index_select(table, 0, flat.ceil().to(ScalarType.Long));
            Tensor w = flat.frac();
            Tensor logSigma = w.neg().add(new Scalar(1.0)).mul(low).add(w.mul(high));
            return logSigma.exp().reshape(timestep.shape());
        });
    }

    /** {@link #timestep(Tensor)} of one σ. */
    public double timestep(double sigma) {
        try (PointerScope scope = new PointerScope()) {
            return timestep(Tensor.create((float) sigma)).item().toDouble();
        }
    }

    /** {@link #sigma(Tensor)} of one timestep. */
    public double sigma(double timestep) {
        try (PointerScope scope = new PointerScope()) {
            return sigma(Tensor.create((float) timestep)).item().toDouble();
        }
    }

    /**
     * The σ at which a fraction {@code percent} of the sampling is done (ComfyUI's {@code percent_to_sigma}, used for
     * start/end ranges): σ at timestep {@code (1 − percent)·(N − 1)}; 0 % is "above every σ" (999999999.9) and
     * 100 % is 0.
     */
    public double percentToSigma(double percent) {
        if (percent <= 0.0) {
            return 999999999.9;
        }
        if (percent >= 1.0) {
            return 0.0;
        }
        return sigma((1.0 - percent) * (size() - 1));
    }
}
