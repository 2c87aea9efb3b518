package dev.easel.nodes.core.sd;

import dev.easel.nodes.core.lora.LoraFile;
import dev.easel.nodes.core.lora.LoraKeyMap;
import dev.easel.nodes.core.lora.LoraPatches;
import dev.easel.nodes.core.model.WeightDeltas;
import dev.easel.nodes.core.model.WeightPatcher;
import dev.easel.node.ContentHashable;
import dev.easel.node.RefCounted;
import dev.easel.nodes.core.sampling.guidance.CfgFunction;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import dev.easel.nodes.core.unet.EpsDenoiser;
import dev.easel.nodes.core.unet.UNetModel;
import dev.easel.nodes.core.vae.LatentFormat;

/**
 * A MODEL value: the UNet with its noise schedule, latent format and sampling options (a custom CFG function such as
 * RescaleCFG). Its content hash is its identity (the file it came from and the component, plus the options), so equal
 * models from two loads give equal downstream cache keys. Copies with other options share the UNet's weights.
 */
public final class DiffusionModel implements RefCounted, ContentHashable {

    private final UNetModel unet;
    private final DiscreteSchedule schedule;
    private final LatentFormat latentFormat;
    private final String identity;
    private final CfgFunction cfgFunction;
    /** LoRAs on the UNet's weights, applied in place while a sampling uses this model ({@link #usePatches}). */
    private final WeightDeltas patches;

    public DiffusionModel(UNetModel unet, DiscreteSchedule schedule, LatentFormat latentFormat, String identity) {
        this(unet, schedule, latentFormat, identity, CfgFunction.STANDARD, WeightDeltas.NONE);
    }

    private DiffusionModel(UNetModel unet, DiscreteSchedule schedule, LatentFormat latentFormat, String identity,
            CfgFunction cfgFunction, WeightDeltas patches) {
        this.unet = unet;
        this.schedule = schedule;
        this.latentFormat = latentFormat;
        this.identity = identity;
        this.cfgFunction = cfgFunction;
        this.patches = patches;
    }

    /** The same model guided with {@code function}; shares the weights (one more owner of them). */
    public DiffusionModel withCfgFunction(CfgFunction function) {
        retain();
        return new DiffusionModel(unet, schedule, latentFormat, identity + "|cfg:" + function.identity(), function,
                patches);
    }

    /**
     * The same model with {@code lora}'s UNet pairs added at {@code strength} (LoraLoader); shares the weights and
     * the LoRA (one more owner of each). Nothing is computed until a sampling uses it.
     */
    public DiffusionModel withLora(LoraFile lora, double strength) {
        retain();
        lora.retain();
        return new DiffusionModel(unet, schedule, latentFormat, identity + "|lora:" + lora.identity() + "@"
                + strength, cfgFunction, LoraPatches.add(patches, LoraKeyMap.UNET_PREFIX, lora, strength));
    }

    /** The LoRAs on this model, in the order they were added. */
    public WeightDeltas patches() {
        return patches;
    }

    /** Holds the UNet's weights patched as this model says (waiting while another set is in use); close after. */
    public WeightPatcher.Use usePatches() {
        return unet.weights().patcher().use(patches);
    }

    /** How cond and uncond predictions combine (ComfyUI's {@code sampler_cfg_function}). */
    public CfgFunction cfgFunction() {
        return cfgFunction;
    }

    public UNetModel unet() {
        return unet;
    }

    public DiscreteSchedule schedule() {
        return schedule;
    }

    public LatentFormat latentFormat() {
        return latentFormat;
    }

    /** The eps-prediction denoiser over this model (a view; it does not own the model). */
    public EpsDenoiser denoiser() {
        return new EpsDenoiser(unet, schedule);
    }

    @Override
    public void retain() {
        unet.retain();
        LoraPatches.applied(patches).forEach(a -> a.lora().retain());
    }

    @Override
    public void release() {
        LoraPatches.applied(patches).forEach(a -> a.lora().release());
        unet.release();
    }

    @Override
    public long nativeBytes() {
        return unet.nativeBytes();
    }

    @Override
    public String contentHash() {
        return identity;
    }

    @Override
    public String toString() {
        return "DiffusionModel[" + unet.config().modelChannels() + " channels]";
    }
}
