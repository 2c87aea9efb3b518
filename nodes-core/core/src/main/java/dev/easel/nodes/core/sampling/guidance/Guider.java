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
     */
    Denoiser denoiser(boolean needsUncond);

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
