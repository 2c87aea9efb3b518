package dev.easel.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ShuffledBatchesTest {

    @Test
    void everyIndexOncePerEpochInBatchesOfTheGivenSize() {
        ShuffledBatches batches = new ShuffledBatches(103, 10, 7);
        assertEquals(11, batches.batchesPerEpoch());
        for (long epoch = 0; epoch < 3; epoch++) {
            boolean[] seen = new boolean[103];
            for (int k = 0; k < 11; k++) {
                long step = epoch * 11 + k;
                assertEquals(epoch, batches.epochOf(step));
                long[] batch = batches.batch(step);
                assertEquals(k < 10 ? 10 : 3, batch.length);
                for (long i : batch) {
                    assertFalse(seen[(int) i], "index " + i + " twice in epoch " + epoch);
                    seen[(int) i] = true;
                }
            }
            for (boolean s : seen) {
                assertTrue(s);
            }
        }
    }

    @Test
    void sameSeedSameBatchesAlsoWhenResumedOtherSeedOrEpochDiffers() {
        ShuffledBatches a = new ShuffledBatches(50, 8, 1234);
        long[][] run = new long[40][];
        for (int step = 0; step < 40; step++) {
            run[step] = a.batch(step);
        }
        ShuffledBatches resumed = new ShuffledBatches(50, 8, 1234);
        for (int step = 23; step < 40; step++) {
            assertArrayEquals(run[step], resumed.batch(step), "step " + step);
        }
        assertFalse(Arrays.equals(a.order(0), new ShuffledBatches(50, 8, 1235).order(0)));
        assertFalse(Arrays.equals(a.order(0), a.order(1)));
        long[] identity = java.util.stream.LongStream.range(0, 50).toArray();
        assertFalse(Arrays.equals(identity, a.order(0)), "shuffled");
    }
}
