package dev.easel.nodes.core.sampling;

import org.bytedeco.pytorch.Tensor;

/**
 * One sampling algorithm: integrates from {@code x} at σ = {@code sigmas[0]} down the schedule, calling the denoiser
 * through {@code run}. Implementations are short functions in the families under {@code sampling.samplers}.
 */
@FunctionalInterface
public interface Sampler {

    /**
     * @param run the denoiser, noise and step reporting for this sampling
     * @param x the start latent, already noised to {@code sigmas[0]}; not owned by the sampler
     * @param sigmas the σ schedule, descending, usually ending in 0
     * @return the final latent
     */
    Tensor sample(SamplerRun run, Tensor x, double[] sigmas);
}
