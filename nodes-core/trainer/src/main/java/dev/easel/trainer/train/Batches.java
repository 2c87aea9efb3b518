package dev.easel.trainer.train;

/**
 * The batch of each training step, as a pure function of the step (so a resumed run sees what an uninterrupted one
 * would have): {@code BatchSource::batch} for images, {@code LatentSource::batch} for latents.
 *
 * @param <B> the batch type
 */
@FunctionalInterface
public interface Batches<B> {

    /** The batch of step {@code step} (0-based), {@code batchSize} examples (an epoch's last may have fewer). */
    B batch(long step, int batchSize);
}
