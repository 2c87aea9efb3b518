package dev.easel.trainer.train;

import dev.easel.nodes.core.vae.AutoencoderKL;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * A frozen VAE's diagonal Gaussian posterior of images, as LDM's {@code DiagonalGaussianDistribution} makes it: the
 * encoder's moments split into mean and logvar, the logvar clamped to −30..20, std = exp(logvar / 2).
 *
 * @param mean {@code [B, C, h, w]}
 * @param std {@code [B, C, h, w]}
 */
public record Posterior(Tensor mean, Tensor std) {

    /** The posterior of {@code images} ({@code [B, 3, H, W]} in −1..1), without autograd, in the caller's scope. */
    public static Posterior encode(AutoencoderKL vae, Tensor images) {
        try (NoGradGuard noGrad = new NoGradGuard()) {
            int e = vae.config().embedDim();
            Tensor moments = vae.encodeBatch(images);
            Tensor mean = moments.narrow(1, 0, e);
            Tensor std = moments.narrow(1, e, e).clamp(new ScalarOptional(new Scalar(-30.0)),
                    new ScalarOptional(new Scalar(20.0))).mul(new Scalar(0.5)).exp();
            return new Posterior(mean, std);
        }
    }
}
