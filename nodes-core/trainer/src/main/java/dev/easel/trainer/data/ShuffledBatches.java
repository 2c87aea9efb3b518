package dev.easel.trainer.data;

import java.util.Arrays;
import java.util.Random;

/**
 * Batches of indices 0..size−1 in a fresh seeded shuffle each epoch. Batch {@code step} is a pure function of
 * (size, batch size, seed, step), so a training run resumed at step {@code k} sees exactly the batches an
 * uninterrupted run would have. Every index appears exactly once per epoch; the epoch's last batch is smaller when
 * the batch size does not divide the size.
 */
public final class ShuffledBatches {

    private final int size;
    private final int batchSize;
    private final long seed;
    private long cachedEpoch = -1;
    private long[] cachedOrder;

    public ShuffledBatches(int size, int batchSize, long seed) {
        if (size < 1 || batchSize < 1) {
            throw new IllegalArgumentException("size and batch size must be ≥ 1, not " + size + " and " + batchSize);
        }
        this.size = size;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** Indices per batch (the last batch of an epoch may have fewer). */
    public int batchSize() {
        return batchSize;
    }

    /** Batches in one epoch: ⌈size / batch size⌉. */
    public int batchesPerEpoch() {
        return (size + batchSize - 1) / batchSize;
    }

    /** The epoch that global step {@code step} (from 0) falls in. */
    public long epochOf(long step) {
        return step / batchesPerEpoch();
    }

    /** The indices of global step {@code step} (from 0). */
    public synchronized long[] batch(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be ≥ 0, not " + step);
        }
        long epoch = epochOf(step);
        if (epoch != cachedEpoch) {
            cachedOrder = order(epoch);
            cachedEpoch = epoch;
        }
        int from = (int) (step % batchesPerEpoch()) * batchSize;
        return Arrays.copyOfRange(cachedOrder, from, Math.min(size, from + batchSize));
    }

    /** The shuffled order of epoch {@code epoch}: its own generator, seeded from the seed and the epoch. */
    public long[] order(long epoch) {
        // Mixing with a large odd constant keeps (seed, epoch) pairs from colliding for nearby seeds.
        return permutation(size, new Random(seed ^ (epoch * 0x9E3779B97F4A7C15L)));
    }

    /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
    static long[] permutation(int n, Random random) {
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
