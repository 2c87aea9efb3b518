package dev.easel.nodes.core.sd;

import dev.easel.node.ContentHashable;
import dev.easel.node.RefCounted;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import dev.easel.nodes.core.unet.EpsDenoiser;
import dev.easel.nodes.core.unet.UNetModel;
import dev.easel.nodes.core.vae.LatentFormat;

/**
 * A MODEL value: the UNet with its noise schedule and latent format. Its content hash is its identity (the file it
 * came from and the component), so equal models from two loads give equal downstream cache keys.
 */
public final class DiffusionModel implements RefCounted, ContentHashable {

    private final UNetModel unet;
    private final DiscreteSchedule schedule;
    private final LatentFormat latentFormat;
    private final String identity;

    public DiffusionModel(UNetModel unet, DiscreteSchedule schedule, LatentFormat latentFormat, String identity) {
        this.unet = unet;
        this.schedule = schedule;
        this.latentFormat = latentFormat;
        this.identity = identity;
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
    }

    @Override
    public void release() {
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
