package dev.easel.nodes.core.unet;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * What a diffusion network predicts, and how its output becomes the denoised latent (Karras et al. 2022, "Elucidating
 * the Design Space of Diffusion-Based Generative Models", the c_skip / c_out preconditioning with σ_data = 1). The
 * names are the values of ComfyUI's ModelSamplingDiscrete {@code sampling} input.
 */
public enum Parameterization {
    /** ε-prediction (SD1.x, SD2.x 512, SDXL): {@code denoised = x − σ·ε}. */
    EPS("eps") {
        @Override
        public Tensor denoised(Tensor x, Tensor output, Tensor sigma) {
            return x.sub(output.mul(sigma));
        }
    },
    /**
     * v-prediction (Salimans &amp; Ho 2022, "Progressive Distillation for Fast Sampling of Diffusion Models"; SD2.x
     * 768-v): {@code denoised = x·1/(σ² + 1) − v·σ/√(σ² + 1)}.
     */
    V_PREDICTION("v_prediction") {
        @Override
        public Tensor denoised(Tensor x, Tensor output, Tensor sigma) {
            Tensor s2 = sigma.mul(sigma).add(new Scalar(1.0));
            return x.div(s2).sub(output.mul(sigma).div(s2.sqrt()));
        }
    },
    /** The network predicts the clean latent itself: {@code denoised = output}. */
    X0("x0") {
        @Override
        public Tensor denoised(Tensor x, Tensor output, Tensor sigma) {
            return output;
        }
    };

    private final String id;

    Parameterization(String id) {
        this.id = id;
    }

    /** ComfyUI's name for it. */
    public String id() {
        return id;
    }

    /**
     * The denoised latent from the model input {@code x}, the network's {@code output} and σ (broadcastable to x,
     * e.g. [B, 1, 1, 1]). Attached to the caller's pointer scope.
     */
    public abstract Tensor denoised(Tensor x, Tensor output, Tensor sigma);

    /** The parameterization ComfyUI calls {@code id}. */
    public static Parameterization of(String id) {
        for (Parameterization p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown sampling '" + id + "'; known: eps, v_prediction, x0");
    }
}
