package dev.easel.nodes.core.sd;

import dev.easel.node.ContentHashable;
import dev.easel.node.RefCounted;
import dev.easel.nodes.core.vae.AutoencoderKL;

/** A VAE value: the autoencoder with its identity for cache keys. */
public final class VaeModel implements RefCounted, ContentHashable {

    private final AutoencoderKL vae;
    private final String identity;

    public VaeModel(AutoencoderKL vae, String identity) {
        this.vae = vae;
        this.identity = identity;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    @Override
    public void retain() {
        vae.retain();
    }

    @Override
    public void release() {
        vae.release();
    }

    @Override
    public long nativeBytes() {
        return vae.nativeBytes();
    }

    @Override
    public String contentHash() {
        return identity;
    }
}
