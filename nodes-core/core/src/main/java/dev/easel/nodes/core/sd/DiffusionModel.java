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
import dev.easel.nodes.core.unet.Parameterization;
import dev.easel.nodes.core.unet.UNetDenoiser;
import dev.easel.nodes.core.unet.UNetModel;
import dev.easel.nodes.core.vae.LatentFormat;

/**
 * A MODEL value: the UNet with its noise schedule and parameterization (ε or v), latent format, adm encoder (SDXL)
 * and sampling options (a custom CFG function such as RescaleCFG). Its content hash is its identity (the file it came from and the component, plus the options), so equal
 * models from two loads give equal downstream cache keys. Copies with other options share the UNet's weights.
 */
public final class DiffusionModel implements RefCounted, ContentHashable {

    private final UNetModel unet;
    private final DiscreteSchedule schedule;
    private final Parameterization parameterization;
    private final LatentFormat latentFormat;
    /** How the UNet's {@code y} input is built from a conditioning, or {@code null} when it has none. */
    private final AdmEncoder adm;
    private final String identity;
    private final CfgFunction cfgFunction;
    /** LoRAs on the UNet's weights, applied in place while a sampling uses this model ({@link #usePatches}). */
    private final WeightDeltas patches;

    /** An ε-prediction model without {@code y} (SD1.x). */
    public DiffusionModel(UNetModel unet, DiscreteSchedule schedule, LatentFormat latentFormat, String identity) {
        this(unet, schedule, Parameterization.EPS, latentFormat, null, identity);
    }

    /**
     * @param adm how {@code y} is made (SDXL), or {@code null} when the UNet takes none
     */
    public DiffusionModel(UNetModel unet, DiscreteSchedule schedule, Parameterization parameterization,
            LatentFormat latentFormat, AdmEncoder adm, String identity) {
        this(unet, schedule, parameterization, latentFormat, adm, identity, CfgFunction.STANDARD, WeightDeltas.NONE);
    }

    private DiffusionModel(UNetModel unet, DiscreteSchedule schedule, Parameterization parameterization,
            LatentFormat latentFormat, AdmEncoder adm, String identity, CfgFunction cfgFunction,
            WeightDeltas patches) {
        if ((adm != null) != (unet.config().admInChannels() != null)) {
            throw new IllegalArgumentException(adm != null ? "an adm encoder for a UNet without a y input"
                    : "this UNet takes a y input of width " + unet.config().admInChannels()
                    + " but the model family gives none");
        }
        this.unet = unet;
        this.schedule = schedule;
        this.parameterization = parameterization;
        this.latentFormat = latentFormat;
        this.adm = adm;
        this.identity = identity;
        this.cfgFunction = cfgFunction;
        this.patches = patches;
    }

    /**
     * The same model sampled with another parameterization and schedule (ModelSamplingDiscrete); shares the weights
     * (one more owner of them).
     */
    public DiffusionModel withSampling(Parameterization newParameterization, DiscreteSchedule newSchedule,
            String description) {
        retain();
        return new DiffusionModel(unet, newSchedule, newParameterization, latentFormat, adm,
                identity + "|sampling:" + description, cfgFunction, patches);
    }

    /** The same model guided with {@code function}; shares the weights (one more owner of them). */
    public DiffusionModel withCfgFunction(CfgFunction function) {
        retain();
        return new DiffusionModel(unet, schedule, parameterization, latentFormat, adm,
                identity + "|cfg:" + function.identity(), function, patches);
    }

    /**
     * The same model with {@code lora}'s UNet pairs added at {@code strength} (LoraLoader); shares the weights and
     * the LoRA (one more owner of each). Nothing is computed until a sampling uses it.
     */
    public DiffusionModel withLora(LoraFile lora, double strength) {
        retain();
        lora.retain();
        return new DiffusionModel(unet, schedule, parameterization, latentFormat, adm,
                identity + "|lora:" + lora.identity() + "@" + strength, cfgFunction,
                LoraPatches.add(patches, LoraKeyMap.UNET_PREFIX, lora, strength));
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

    public Parameterization parameterization() {
        return parameterization;
    }

    /** How the UNet's {@code y} is made from a conditioning entry, or {@code null} when it takes none. */
    public AdmEncoder adm() {
        return adm;
    }

    /** The denoiser over this model (a view; it does not own the model). */
    public UNetDenoiser denoiser() {
        return new UNetDenoiser(unet, schedule, parameterization);
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
