package dev.easel.nodes.core.sampling.guidance;

import dev.easel.nodes.core.sampling.Denoiser;
import dev.easel.nodes.core.sampling.Prediction;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Inpainting with a noise mask m (1 = may change): before every model call the kept region (1 − m) is replaced by
 * the original latent noised to the current σ, and after it the kept region of the prediction is the original latent,
 * so every sampler keeps it whatever its update rule (the reference's KSamplerX0Inpaint):
 * x_in = x·m + (latent + noise·σ)·(1 − m), D' = D(x_in)·m + latent·(1 − m).
 *
 * <p>A view over tensors owned by the caller's scope.
 */
public final class InpaintDenoiser implements Denoiser {

    private final Denoiser inner;
    private final Tensor mask;
    private final Tensor keep;
    private final Tensor latent;
    private final Tensor noise;

    /**
     * @param mask the denoise mask, already at the latent's shape, values in [0, 1]
     * @param latent the original latent (model space)
     * @param noise the noise the kept region is re-noised with
     */
    public InpaintDenoiser(Denoiser inner, Tensor mask, Tensor latent, Tensor noise) {
        this.inner = inner;
        this.mask = mask;
        this.keep = mask.neg().add(new Scalar(1.0));
        this.latent = latent;
        this.noise = noise;
    }

    @Override
    public Prediction predict(Tensor x, double sigma) {
        Tensor renoised = latent.add(noise.mul(new Scalar(sigma)));
        Tensor xIn = x.mul(mask).add(renoised.mul(keep));
        Prediction p = inner.predict(xIn, sigma);
        Tensor kept = latent.mul(keep);
        return new Prediction(p.denoised().mul(mask).add(kept), p.uncondDenoised().mul(mask).add(kept));
    }
}
