package dev.easel.nodes.core.sampling;

import java.util.Objects;

/**
 * A sampler as users select it by name, with the reference's conventions around it.
 *
 * @param name the KSampler {@code sampler_name}
 * @param sampler the algorithm
 * @param noise the default noise it draws
 * @param discardPenultimate the KSampler computes steps + 1 σ and drops the second to last (dpm_2, uni_pc: they
 *     would otherwise spend a full step on the tiny last interval)
 * @param randomInpaintNoise inpainting re-noises the kept region with fresh noise from seed + 1 instead of the initial
 *     noise (ddim)
 */
public record SamplerInfo(String name, Sampler sampler, NoiseKind noise, boolean discardPenultimate,
        boolean randomInpaintNoise) {

    public SamplerInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(noise, "noise");
    }

    /**
     * Whether the sampler steps along the unconditional prediction (the CFG++ family), so the guider must evaluate
     * it even at cfg 1, where it otherwise skips it.
     */
    public boolean needsUncond() {
        return name.endsWith("_cfg_pp");
    }

    static SamplerInfo of(String name, Sampler sampler, NoiseKind noise) {
        return new SamplerInfo(name, sampler, noise, false, false);
    }
}
