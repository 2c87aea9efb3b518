package dev.easel.nodes.core.sampling.guidance;

import dev.easel.nodes.core.model.WeightPatcher;
import dev.easel.node.RefCounted;
import dev.easel.nodes.core.sampling.Denoiser;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import dev.easel.nodes.core.vae.LatentFormat;
import dev.easel.runtime.placement.Placeable;
import java.util.List;

/**
 * What a sampling needs from the model side (a GUIDER value): the denoiser, the latent space it works in, the
 * model's noise schedule ("max denoise" starts are recognised by σ_max) and the models to place on the device.
 */
public interface Guider extends RefCounted {

    /**
     * The denoiser for one sampling.
     *
     * @param needsUncond evaluate the unconditional branch even at cfg 1 (CFG++ samplers)
     * @param latent what is being sampled (inpainting UNets take it as extra input channels)
     */
    Denoiser denoiser(boolean needsUncond, SampledLatent latent);

    /** The denoiser for a sampling from an all-zero latent without a noise mask. */
    default Denoiser denoiser(boolean needsUncond) {
        return denoiser(needsUncond, SampledLatent.NONE);
    }

    /**
     * The latent a sampling starts from, in model space, and its noise mask resized to the latent ([B, C, h, w]);
     * either may be {@code null} (no latent image known, no mask).
     */
    record SampledLatent(org.bytedeco.pytorch.Tensor image, org.bytedeco.pytorch.Tensor denoiseMask) {
        public static final SampledLatent NONE = new SampledLatent(null, null);
    }

    LatentFormat latentFormat();

    DiscreteSchedule schedule();

    /** The models the denoiser computes with, to be placed on the compute device while sampling runs. */
    List<Placeable> models();

    /**
     * Holds the models' weights patched (LoRA) as the guider's MODEL says, for as long as the sampling runs; a guider
     * over unpatched weights (the default) holds nothing.
     */
    default WeightPatcher.Use usePatches() {
        return () -> { };
    }
}
