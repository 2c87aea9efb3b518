package dev.easel.nodes.core.sampling;

import dev.easel.nodes.core.sampling.noise.InitialNoise;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A NOISE value (RandomNoise, DisableNoise): the initial noise of a sampling and the seed its stochastic samplers
 * draw further noise from. Seeds are unsigned 64-bit (the bits of a {@code long}).
 *
 * @param seed the seed
 * @param empty true for DisableNoise: the initial noise is zero (the latent is sampled as it is)
 */
public record Noise(long seed, boolean empty) {

    public static Noise random(long seed) {
        return new Noise(seed, false);
    }

    public static Noise disabled(long seed) {
        return new Noise(seed, true);
    }

    /** The initial noise for a latent of {@code shape}: the reference's seeded CPU randn, or zeros. */
    public Tensor generate(long[] shape) {
        return empty ? torch.zeros(shape) : InitialNoise.of(seed, shape);
    }

    @Override
    public String toString() {
        return empty ? "Noise[disabled]" : "Noise[seed=" + Long.toUnsignedString(seed) + "]";
    }
}
