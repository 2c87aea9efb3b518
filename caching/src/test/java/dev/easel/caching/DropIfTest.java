package dev.easel.caching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.cache.CachedOutputs;
import dev.easel.engine.cache.OutputCache.NodeCost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link TieredOutputCache#dropIf}: what a node pack being unloaded uses to take its results out of RAM. */
class DropIfTest {

    private static CachedOutputs of(Object value) {
        return new CachedOutputs(List.of(List.of(value)), List.of("h"), Map.of());
    }

    @Test
    void dropsMatchingEntriesButNotLeasedOnes() {
        try (TieredOutputCache cache = new TieredOutputCache(new CacheSettings(0, 1L << 20, 0, 1L << 20, null))) {
            cache.put(new CacheKey("a"), of("x"), new NodeCost("PackNode", 1, false));
            cache.put(new CacheKey("b"), of("y"), new NodeCost("CoreNode", 1, false));
            cache.put(new CacheKey("c"), of("z"), new NodeCost("PackNode", 1, false));
            CachedOutputs lease = cache.lookup(new CacheKey("c")).orElseThrow();

            assertEquals(1, cache.dropIf((type, outputs) -> type.equals("PackNode")));
            assertFalse(cache.contains(new CacheKey("a")));
            assertTrue(cache.contains(new CacheKey("b")));
            assertTrue(cache.contains(new CacheKey("c")), "a leased entry stays until it is given back");
            cache.release(new CacheKey("c"), lease);

            assertEquals(1, cache.dropIf((type, outputs) -> outputs.outputs().get(0).contains("y")));
            assertFalse(cache.contains(new CacheKey("b")));
        }
    }
}
