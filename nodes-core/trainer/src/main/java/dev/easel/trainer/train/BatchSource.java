package dev.easel.trainer.train;

/**
 * Where training images come from. A batch is a pure function of the step number, so a run resumed at step
 * {@code n} sees exactly the batches an uninterrupted run would have seen (the data's RNG state is the step).
 */
public interface BatchSource extends Batches<Batch>, AutoCloseable {

    /** The batch for training step {@code step} (0-based): {@code batchSize} images and their captions. */
    @Override
    Batch batch(long step, int batchSize);

    /** Releases what the source holds (a data set's images); nothing by default. */
    @Override
    default void close() {
    }
}
