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
        public Tensor denoised(Tensor x, Tensor output, Tensor sigma, Tensor timestep) {
            return x.sub(output.mul(sigma));
        }
    },
    /**
     * v-prediction (Salimans &amp; Ho 2022, "Progressive Distillation for Fast Sampling of Diffusion Models"; SD2.x
     * 768-v): {@code denoised = x·1/(σ² + 1) − v·σ/√(σ² + 1)}.
     */
    V_PREDICTION("v_prediction") {
        @Override
        public Tensor denoised(Tensor x, Tensor output, Tensor sigma, Tensor timestep) {
            Tensor s2 = sigma.mul(sigma).add(new Scalar(1.0));
            return x.div(s2).sub(output.mul(sigma).div(s2.sqrt()));
        }
    },
    /**
     * A latent consistency model (Luo et al. 2023, "Latent Consistency Models", with the consistency boundary
     * condition of Song et al. 2023): ε-prediction turned into x0 = x − σ·ε, then {@code c_out·x0 + c_skip·x} with
     * c_skip = σ_d²/((10t)² + σ_d²), c_out = 10t/√((10t)² + σ_d²), σ_d = 0.5, t the (distilled) timestep. Used with
     * the distilled schedule ({@link DiscreteSchedule#distilled}).
     */
    LCM("lcm") {
        @Override
        public Tensor denoised(Tensor x, Tensor output, Tensor sigma, Tensor timestep) {
            Tensor x0 = x.sub(output.mul(sigma));
            Tensor scaled = timestep.mul(new Scalar(10.0));
            Tensor denominator = scaled.mul(scaled).add(new Scalar(0.25));
            Tensor cSkip = denominator.reciprocal().mul(new Scalar(0.25));
            Tensor cOut = scaled.div(denominator.sqrt());
            return x0.mul(cOut).add(x.mul(cSkip));
        }
    },
    /** The network predicts the clean latent itself: {@code denoised = output}. */
    X0("x0") {
        @Override
        public Tensor denoised(Tensor x, Tensor output, Tensor sigma, Tensor timestep) {
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
     * The denoised latent from the model input {@code x}, the network's {@code output}, σ and the discrete timestep
     * the network was given (both broadcastable to x, e.g. [B, 1, 1, 1]). Attached to the caller's pointer scope.
     */
    public abstract Tensor denoised(Tensor x, Tensor output, Tensor sigma, Tensor timestep);

    /** The parameterization ComfyUI calls {@code id}. */
    public static Parameterization of(String id) {
        for (Parameterization p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown sampling '" + id + "'; known: eps, v_prediction, lcm, x0");
    }
}
