package dev.easel.nodes.core.sampling;

import org.bytedeco.pytorch.Tensor;

/**
 * What every sampler calls: D(x, σ), the (guided) estimate of the clean latent from a noisy one at noise level σ
 * (k-diffusion's denoiser convention). Results are owned by the caller's {@link org.bytedeco.javacpp.PointerScope}.
 */
@FunctionalInterface
public interface Denoiser {

    /**
     * The guided prediction at σ, plus the unconditional prediction that the CFG++ samplers step along.
     *
     * @param x the noisy latent [B, C, H, W] in model space
     * @param sigma the noise level of {@code x}, the same for the whole batch
     */
    Prediction predict(Tensor x, double sigma);

    /** D(x, σ). */
    default Tensor denoise(Tensor x, double sigma) {
        return predict(x, sigma).denoised();
    }
}
