package dev.easel.trainer.train;

import dev.easel.nodes.core.unet.DiscreteSchedule;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The DDPM forward process (Ho et al. 2020, "Denoising Diffusion Probabilistic Models") on SD1.x's "scaled_linear"
 * schedule (1000 steps, β = linspace(√0.00085, √0.012)², as the core pack's {@link DiscreteSchedule#sd1()} computes
 * it, so training and sampling share one table): {@code x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε}.
 */
public final class DdpmSchedule {

    public static final int STEPS = 1000;

    private final double[] alphasCumprod = DiscreteSchedule.sd1().alphasCumprod();

    /** √ᾱ_t and √(1 − ᾱ_t) for each of {@code timesteps} ([B] long), as float32 [B, 1, 1, 1] tensors. */
    public Tensor[] coefficients(Tensor timesteps) {
        long b = timesteps.size(0);
        long[] t = new long[(int) b];
        timesteps.contiguous().data_ptr_long().get(t);
        double[] signal = new double[(int) b];
        double[] noise = new double[(int) b];
        for (int i = 0; i < b; i++) {
            signal[i] = Math.sqrt(alphasCumprod[(int) t[i]]);
            noise[i] = Math.sqrt(1.0 - alphasCumprod[(int) t[i]]);
        }
        return new Tensor[] {column(signal), column(noise)};
    }

    /** {@code x_t} for clean {@code x0}, noise {@code eps} and the given timesteps. */
    public Tensor noised(Tensor x0, Tensor eps, Tensor timesteps) {
        Tensor[] c = coefficients(timesteps);
        return x0.mul(c[0]).add(eps.mul(c[1]));
    }

    private static Tensor column(double[] values) {
        DoublePointer p = new DoublePointer(values);
        return torch.from_blob(p, new long[] {values.length, 1, 1, 1}, new TensorOptions(ScalarType.Double))
                .to(ScalarType.Float); // a copy: p is freed with the scope
    }
}
