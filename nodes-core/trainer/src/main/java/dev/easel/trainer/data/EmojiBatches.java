package dev.easel.trainer.data;

import dev.easel.trainer.train.Batch;
import dev.easel.trainer.train.BatchSource;
import java.util.Arrays;
import java.util.List;

/**
 * The emoji data set as training batches: epoch by epoch in a seeded order ({@link ShuffledBatches}), so the batch of
 * a step depends only on the seed and the step, and a resumed run sees what an uninterrupted one would have. The
 * last batch of an epoch may be smaller. Owns the data set.
 */
public final class EmojiBatches implements BatchSource {

    private final EmojiDataset dataset;
    private final long seed;
    private ShuffledBatches order;

    public EmojiBatches(EmojiDataset dataset, long seed) {
        this.dataset = dataset;
        this.seed = seed;
    }

    @Override
    public synchronized Batch batch(long step, int batchSize) {
        if (order == null || order.batchSize() != batchSize) {
            order = dataset.batches(batchSize, seed);
        }
        long[] indices = order.batch(step);
        List<String> captions = Arrays.stream(indices).mapToObj(i -> dataset.captions().get((int) i)).toList();
        return new Batch(dataset.batch(indices), captions);
    }

    @Override
    public void close() {
        dataset.close();
    }
}
