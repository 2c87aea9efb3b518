package dev.easel.nodes.core.sampling.noise;

import dev.easel.nodes.core.sampling.NoiseKind;
import dev.easel.nodes.core.sampling.NoiseSource;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/** The default noise a sampler draws for a seed, with the reference KSampler's conventions. */
public final class NoiseSources {

    private NoiseSources() {
    }

    /**
     * The default noise source of a sampler of kind {@code kind} sampling {@code x} down {@code sigmas} with the
     * KSampler's noise seed {@code seed} (unsigned 64-bit in a long's bit pattern):
     *
     * <ul>
     *   <li>{@code NONE}: null (the sampler asks for no noise).
     *   <li>{@code GAUSSIAN}: a CPU generator seeded with seed + 1 (the reference offsets it so that the step noise
     *       is not the initial noise again), one {@code randn} of x's shape per request, moved to x's device. (ComfyUI
     *       on a GPU draws from that GPU's generator with the seed itself, so its images differ between devices;
     *       here they are those of ComfyUI on the CPU everywhere.)
     *   <li>{@code BROWNIAN}: a Brownian tree with entropy = seed over [smallest positive σ, largest σ], normals drawn
     *       on the CPU, noise moved to x's device.
     *   <li>{@code BROWNIAN_DEVICE}: the same with the normals drawn by x's device's generator.
     * </ul>
     *
     * A Brownian source needs a positive σ in the schedule; without one the result is null (no SDE step asks for
     * noise then). The caller closes the result with {@link #close} after sampling.
     */
    public static NoiseSource forSampler(NoiseKind kind, long seed, Tensor x, double[] sigmas) {
        long[] shape = x.sizes().vec().get();
        Device device = x.device();
        return switch (kind) {
            case NONE -> null;
            case GAUSSIAN -> new GaussianNoise(seed + 1, shape, device);
            case BROWNIAN, BROWNIAN_DEVICE -> {
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (double s : sigmas) {
                    if (s > 0) {
                        min = Math.min(min, s);
                    }
                    max = Math.max(max, s);
                }
                if (min == Double.POSITIVE_INFINITY) {
                    yield null;
                }
                yield new BrownianTreeNoise(seed, shape, min, max, kind == NoiseKind.BROWNIAN_DEVICE ? device : null,
                        device);
            }
        };
    }

    /** Closes {@code source} if it holds resources (null is fine). */
    public static void close(NoiseSource source) {
        if (source instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing a noise source failed", e);
            }
        }
    }
}
