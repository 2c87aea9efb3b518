package dev.easel.trainer.eval;

/**
 * The KSampler settings of an evaluation run (those of the default text-to-image workflow unless told otherwise).
 *
 * @param steps     sampling steps
 * @param cfg       classifier-free guidance scale
 * @param sampler   KSampler {@code sampler_name}
 * @param scheduler KSampler {@code scheduler}
 * @param seed      the first prompt's seed; prompt {@code i} uses {@code seed + i}
 */
public record SamplingSettings(int steps, double cfg, String sampler, String scheduler, long seed) {

    public SamplingSettings {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be ≥ 1, not " + steps);
        }
    }
}
