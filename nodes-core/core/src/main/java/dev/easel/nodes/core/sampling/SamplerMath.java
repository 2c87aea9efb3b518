package dev.easel.nodes.core.sampling;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/** The few tensor expressions samplers are written in, so their update rules read like the papers' equations. */
public final class SamplerMath {

    private SamplerMath() {
    }

    /** a·x. */
    public static Tensor scale(double a, Tensor x) {
        return x.mul(new Scalar(a));
    }

    /** a·x + b·y. */
    public static Tensor lincomb(double a, Tensor x, double b, Tensor y) {
        return x.mul(new Scalar(a)).add(y.mul(new Scalar(b)));
    }

    /** a·x + b·y + c·z. */
    public static Tensor lincomb(double a, Tensor x, double b, Tensor y, double c, Tensor z) {
        return lincomb(a, x, b, y).add(z.mul(new Scalar(c)));
    }

    /** x + b·y. */
    public static Tensor plus(Tensor x, double b, Tensor y) {
        return x.add(y.mul(new Scalar(b)));
    }

    /** The ODE derivative dx/dσ = (x − D(x, σ)) / σ (Karras et al. 2022, eq. 1 with σ(t) = t). */
    public static Tensor toD(Tensor x, Tensor denoised, double sigma) {
        return x.sub(denoised).div(new Scalar(sigma));
    }

    /**
     * The split of an ancestral step σ → σ_next into a deterministic step to σ_down and fresh noise of scale σ_up,
     * with σ_down² + σ_up² = σ_next² (k-diffusion's {@code get_ancestral_step}); η = 0 is the deterministic step.
     */
    public static AncestralStep ancestral(double sigma, double sigmaNext, double eta) {
        if (sigmaNext == 0 || eta == 0) {
            return new AncestralStep(sigmaNext, 0.0);
        }
        double up = Math.min(sigmaNext,
                eta * Math.sqrt(sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext) / (sigma * sigma)));
        double down = Math.sqrt(sigmaNext * sigmaNext - up * up);
        return new AncestralStep(down, up);
    }

    /** See {@link #ancestral}. */
    public record AncestralStep(double sigmaDown, double sigmaUp) {
    }
}
