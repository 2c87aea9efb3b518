package dev.easel.nodes.core.sampling;

import org.bytedeco.pytorch.Tensor;

/** Called once per sampler step with x and the denoised prediction (progress bars, previews, cancellation). */
@FunctionalInterface
public interface StepListener {

    StepListener NONE = (step, total, x, denoised) -> { };

    /**
     * @param step the step index, 0-based
     * @param total the number of steps of the schedule
     * @param x the current latent
     * @param denoised the denoised prediction of this step
     */
    void onStep(int step, int total, Tensor x, Tensor denoised);
}
