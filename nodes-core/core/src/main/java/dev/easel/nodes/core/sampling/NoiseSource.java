package dev.easel.nodes.core.sampling;

import org.bytedeco.pytorch.Tensor;

/**
 * Fresh standard-normal noise for stochastic samplers, asked for once per noise injection with the step's σ range.
 * A Gaussian source ignores the σ values; a Brownian tree uses them so that the same seed gives consistent noise
 * across step counts.
 */
@FunctionalInterface
public interface NoiseSource {

    /** Noise of the latent's shape for the step from {@code sigma} to {@code sigmaNext}, in the caller's scope. */
    Tensor next(double sigma, double sigmaNext);
}
