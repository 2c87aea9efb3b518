package dev.easel.trainer.train;

import dev.easel.nodes.core.vae.AutoencoderKL;

/**
 * Latents encoded at every step: the images of an image source through the frozen VAE. For sources that never
 * repeat (the synthetic shapes), where a cache could not help; for a fixed data set {@code data.CachedLatents}
 * gives the same batches without the encoder's cost. Owns the image source and one reference to the VAE.
 */
public final class EncodedLatents implements LatentSource {

    private final BatchSource images;
    private final AutoencoderKL vae;

    /** Takes over {@code images}; retains {@code vae} (the caller keeps its own reference). */
    public EncodedLatents(BatchSource images, AutoencoderKL vae) {
        this.images = images;
        this.vae = vae;
        vae.retain();
    }

    @Override
    public LatentBatch batch(long step, int batchSize) {
        Batch batch = images.batch(step, batchSize);
        Posterior posterior = Posterior.encode(vae, batch.images());
        return new LatentBatch(posterior.mean(), posterior.std(), batch.captions());
    }

    @Override
    public void close() {
        try {
            images.close();
        } finally {
            vae.release();
        }
    }
}
