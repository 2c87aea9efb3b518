package dev.easel.trainer.train;

/**
 * Where UNet training's latents come from: the posteriors of a frozen VAE, either encoded per step
 * ({@link EncodedLatents}) or read from a cache encoded once ({@code data.CachedLatents}). Like a
 * {@link BatchSource}, the batch is a pure function of the step.
 */
public interface LatentSource extends Batches<LatentBatch>, AutoCloseable {

    /** Releases what the source holds; nothing by default. */
    @Override
    default void close() {
    }
}
