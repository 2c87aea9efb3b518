package dev.easel.nodes.core.sampling.guidance;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * How the conditional and unconditional predictions combine into the guided one (classifier-free guidance, Ho &
 * Salimans 2022). A model option: nodes such as RescaleCFG attach another function to a MODEL.
 */
public interface CfgFunction {

    /** D = D_u + (D_c − D_u)·cfg. */
    CfgFunction STANDARD = new CfgFunction() {
        @Override
        public Tensor guide(Tensor x, double sigma, Tensor cond, Tensor uncond, double cfg) {
            return uncond.add(cond.sub(uncond).mul(new Scalar(cfg)));
        }

        @Override
        public String identity() {
            return "standard";
        }
    };

    /**
     * The guided denoised latent.
     *
     * @param x the noisy input at {@code sigma}
     * @param cond the conditional denoised prediction
     * @param uncond the unconditional denoised prediction
     * @param cfg the guidance scale
     */
    Tensor guide(Tensor x, double sigma, Tensor cond, Tensor uncond, double cfg);

    /** A stable description of the function and its parameters (part of the MODEL's cache identity). */
    String identity();
}
