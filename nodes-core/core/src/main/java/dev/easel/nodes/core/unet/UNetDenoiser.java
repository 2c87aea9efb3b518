package dev.easel.nodes.core.unet;

import java.util.Objects;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A UNet as a denoiser D(x, σ) (ComfyUI's discrete model sampling, as in k-diffusion's "eps" and "v" wrappers):
 * t = the schedule's discrete timestep of σ, c_in = 1/√(σ² + 1), out = UNet(x·c_in, t, context, y), and the denoised
 * latent from x, out and σ as the {@link Parameterization} says ({@code x − σ·out} for ε-prediction).
 *
 * <p>A view: it does not own the model; whoever holds the denoiser keeps the model retained.
 */
public final class UNetDenoiser {

    private final UNetModel unet;
    private final DiscreteSchedule schedule;
    private final Parameterization parameterization;

    public UNetDenoiser(UNetModel unet, DiscreteSchedule schedule, Parameterization parameterization) {
        this.unet = Objects.requireNonNull(unet, "unet");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.parameterization = Objects.requireNonNull(parameterization, "parameterization");
    }

    /** ε-prediction with the SD1.x schedule. */
    public static UNetDenoiser sd1(UNetModel unet) {
        return new UNetDenoiser(unet, DiscreteSchedule.sd1(), Parameterization.EPS);
    }

    public Parameterization parameterization() {
        return parameterization;
    }

    public UNetModel unet() {
        return unet;
    }

    public DiscreteSchedule schedule() {
        return schedule;
    }

    /** The UNet timestep of each σ ([B] float). */
    public Tensor timestep(Tensor sigma) {
        return schedule.timestep(sigma);
    }

    /** c_in = 1/√(σ² + 1), same shape as {@code sigma}. */
    public Tensor cIn(Tensor sigma) {
        return UNetModel.scoped(() -> {
            Tensor s = sigma.to(ScalarType.Float);
            return s.mul(s).add(new Scalar(1.0)).rsqrt();
        });
    }

    /** D(x, σ) with no patches and no {@code y}. */
    public Tensor denoise(Tensor x, Tensor sigma, Tensor context) {
        return denoise(x, sigma, context, null, UNetPatches.NONE);
    }

    /**
     * D(x, σ).
     *
     * @param x noisy latent [B, C, h, w] (model space)
     * @param sigma noise levels [B] (or one value for the whole batch)
     * @param context cross-attention context [B, T, C]
     * @param y adm vector or {@code null}
     * @param patches UNet patches for this call
     * @return the denoised latent, same shape as {@code x}, owned by the caller's scope
     */
    public Tensor denoise(Tensor x, Tensor sigma, Tensor context, Tensor y, UNetPatches patches) {
        return denoise(x, sigma, context, y, null, patches);
    }

    /**
     * D(x, σ) for a UNet that takes extra input channels (inpainting checkpoints): {@code concat} [B, extra, h, w] is
     * appended to the c_in-scaled latent, unscaled, as the reference's {@code c_concat}.
     */
    public Tensor denoise(Tensor x, Tensor sigma, Tensor context, Tensor y, Tensor concat, UNetPatches patches) {
        return UNetModel.scoped(() -> {
            long batch = x.size(0);
            Tensor s = sigma.to(ScalarType.Float).reshape(-1);
            if (s.size(0) == 1 && batch != 1) {
                s = s.expand(batch);
            }
            Tensor sv = s.reshape(batch, 1, 1, 1);
            // x / √(σ² + 1), as ComfyUI computes it (a division, not a multiplication by c_in)
            Tensor xIn = x.div(sv.mul(sv).add(new Scalar(1.0)).sqrt());
            if (concat != null) {
                xIn = org.bytedeco.pytorch.global.torch.cat(new org.bytedeco.pytorch.TensorVector(xIn,
                        concat.to(xIn)), 1);
            }
            Tensor t = schedule.timestep(s);
            Tensor out = unet.forward(xIn, t, context, y, patches);
            return parameterization.denoised(x, out.to(x.scalar_type()), sv, t.reshape(batch, 1, 1, 1).to(x));
        });
    }
}
