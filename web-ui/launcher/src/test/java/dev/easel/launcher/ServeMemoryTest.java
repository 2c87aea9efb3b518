package dev.easel.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.caching.CacheSettings;
import dev.easel.caching.TieredOutputCache;
import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.cache.CachedOutputs;
import dev.easel.engine.cache.OutputCache;
import dev.easel.node.RefCounted;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /free} in {@code easel serve}: free_memory drops the cache's RAM entries and releases their values. */
class ServeMemoryTest {

    @TempDir
    Path dir;

    /** A value that counts its owners, as models and tensors do. */
    static final class Counted implements RefCounted {
        final AtomicInteger owners = new AtomicInteger(1);

        @Override
        public void retain() {
            owners.incrementAndGet();
        }

        @Override
        public void release() {
            owners.decrementAndGet();
        }
    }

    @Test
    void freeMemoryDropsCachedModelsAndUnloadKeepsThem() {
        long gib = CacheSettings.GiB;
        try (TieredOutputCache cache = new TieredOutputCache(new CacheSettings(gib, gib, 0, gib, dir, false))) {
            Counted model = new Counted();
            CacheKey key = new CacheKey("ab".repeat(32));
            cache.put(key, new CachedOutputs(List.of(List.of(model)), List.of("h"), Map.of()),
                    new OutputCache.NodeCost("CheckpointLoaderSimple", 1_000_000_000L, true));
            model.release(); // the run's reference; the cache keeps its own
            assertEquals(1, model.owners.get());

            ServeMemory memory = new ServeMemory(Runtimes.torch(), cache);
            memory.unloadModels(); // on the CPU nothing moves and nothing is dropped
            assertTrue(cache.contains(key));
            memory.freeMemory();
            assertFalse(cache.contains(key));
            assertEquals(0, model.owners.get());
        }
    }
}
