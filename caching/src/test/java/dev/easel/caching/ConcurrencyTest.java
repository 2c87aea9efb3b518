package dev.easel.caching;

import static dev.easel.caching.Fixtures.MS;
import static dev.easel.caching.Fixtures.cost;
import static dev.easel.caching.Fixtures.first;
import static dev.easel.caching.Fixtures.key;
import static dev.easel.caching.Fixtures.number;
import static dev.easel.caching.Fixtures.outputs;
import static dev.easel.caching.Fixtures.tensor;
import static dev.easel.caching.Fixtures.tier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.cache.CachedOutputs;
import dev.easel.runtime.TensorRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several threads putting, looking up and releasing at once, with demotion to disk in the mix. */
class ConcurrencyTest {

    private static final long KiB = 1024;

    @TempDir
    Path dir;

    @Test
    void concurrentRunsKeepBudgetsCountsAndValuesRight() throws Exception {
        long hostBudget = 400 * KiB;
        TieredOutputCache cache = new TieredOutputCache(new CacheSettings(0, hostBudget, 2 * CacheSettings.MiB, 0,
                dir));
        ConcurrentLinkedQueue<TensorRef> created = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int seed = t;
            done.add(pool.submit(() -> {
                Random random = new Random(seed);
                for (int i = 0; i < 150; i++) {
                    int id = random.nextInt(60); // shared key space: threads hit each other's entries
                    CacheKey key = key("k" + id);
                    Optional<CachedOutputs> hit = cache.lookup(key);
                    if (hit.isPresent()) {
                        TensorRef value = (TensorRef) hit.get().outputs().get(0).get(0);
                        assertEquals(id, first(value), 0.0);
                        cache.release(key, hit.get());
                    } else {
                        TensorRef value = tensor((8 + random.nextInt(60)) * KiB, id);
                        created.add(value);
                        cache.put(key, outputs("k" + id, value), cost((1 + random.nextInt(500)) * MS));
                        value.release();
                    }
                    assertTrue(number(tier(cache.stats(), "host"), "bytes") <= hostBudget);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        Map<String, Object> stats = cache.stats();
        assertEquals(0, number(tier(stats, "host"), "leased"), "every lease came back");
        assertTrue(number(stats, "hits") > 0);
        assertTrue(number(stats, "demotions") > 0);
        assertEquals(600, number(stats, "hits") + number(stats, "misses"));
        cache.close();
        assertTrue(created.stream().allMatch(TensorRef::isFreed), "nothing leaked");
    }
}
