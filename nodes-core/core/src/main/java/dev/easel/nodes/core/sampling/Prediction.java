package dev.easel.nodes.core.sampling;

import java.util.Objects;
import org.bytedeco.pytorch.Tensor;

/**
 * One denoiser call's result: the guided denoised latent and the unconditional one (CFG++ samplers, Chung et al.
 * 2024, step along the unconditional prediction). At cfg 1 the unconditional branch is evaluated only for samplers
 * that need it ({@link SamplerInfo#needsUncond()}); otherwise it is reported as zeros, as the reference does.
 */
public record Prediction(Tensor denoised, Tensor uncondDenoised) {

    public Prediction {
        Objects.requireNonNull(denoised, "denoised");
        Objects.requireNonNull(uncondDenoised, "uncondDenoised");
    }
}
