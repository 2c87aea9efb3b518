package dev.easel.caching;

import static dev.easel.caching.Fixtures.MS;
import static dev.easel.caching.Fixtures.cost;
import static dev.easel.caching.Fixtures.first;
import static dev.easel.caching.Fixtures.key;
import static dev.easel.caching.Fixtures.modelCost;
import static dev.easel.caching.Fixtures.number;
import static dev.easel.caching.Fixtures.outputs;
import static dev.easel.caching.Fixtures.putAndDrop;
import static dev.easel.caching.Fixtures.tensor;
import static dev.easel.caching.Fixtures.tier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.cache.CachedOutputs;
import dev.easel.runtime.TensorRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The RAM tiers: budgets, eviction by value, models, pins, leases and statistics. */
class RamTiersTest {

    private static final long KiB = 1024;

    private static TieredOutputCache ramCache(long hostBytes, long modelBytes) {
        return new TieredOutputCache(new CacheSettings(0, hostBytes, 0, modelBytes, null));
    }

    @Test
    void budgetHoldsUnderARandomisedWorkloadAndNothingLeaks() {
        long budget = 512 * KiB;
        TieredOutputCache cache = ramCache(budget, 0);
        Random random = new Random(42);
        List<TensorRef> created = new ArrayList<>();
        Map<CacheKey, Double> fills = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            String name = "node-" + i;
            long bytes = (1 + random.nextInt(160)) * KiB;
            TensorRef value = tensor(bytes, i);
            created.add(value);
            fills.put(key(name), (double) i);
            putAndDrop(cache, name, value, cost((1 + random.nextInt(2000)) * MS));
            long host = number(tier(cache.stats(), "host"), "bytes");
            assertTrue(host <= budget, "host bytes " + host + " over budget after put " + i);

            // Reuse: look up a few earlier keys; a hit must hand out live values with the right content.
            for (int r = 0; r < 3; r++) {
                CacheKey earlier = key("node-" + random.nextInt(i + 1));
                Optional<CachedOutputs> hit = cache.lookup(earlier);
                hit.ifPresent(found -> {
                    TensorRef got = (TensorRef) found.outputs().get(0).get(0);
                    assertEquals(fills.get(earlier), first(got));
                    cache.release(earlier, found);
                });
            }
        }
        Map<String, Object> stats = cache.stats();
        assertTrue(number(stats, "evictions") > 0);
        assertTrue(number(stats, "hits") > 0);
        cache.clear();
        assertEquals(0, number(tier(cache.stats(), "host"), "bytes"));
        assertTrue(created.stream().allMatch(TensorRef::isFreed), "every tensor freed once the cache let go");
    }

    @Test
    void ofTwoEntriesOfEqualSizeTheCheaperToRecomputeGoesFirst() {
        TieredOutputCache cache = ramCache(200 * KiB, 0);
        putAndDrop(cache, "expensive", tensor(100 * KiB, 1), cost(2_000 * MS));
        putAndDrop(cache, "cheap", tensor(100 * KiB, 2), cost(20 * MS));
        putAndDrop(cache, "new", tensor(100 * KiB, 3), cost(1_000 * MS));
        assertTrue(cache.contains(key("expensive")));
        assertFalse(cache.contains(key("cheap")));
        assertTrue(cache.contains(key("new")));
    }

    @Test
    void ofTwoEntriesOfEqualCostTheLargerGoesFirst() {
        TieredOutputCache cache = ramCache(350 * KiB, 0);
        putAndDrop(cache, "small", tensor(100 * KiB, 1), cost(500 * MS));
        putAndDrop(cache, "large", tensor(200 * KiB, 2), cost(500 * MS));
        putAndDrop(cache, "new", tensor(100 * KiB, 3), cost(500 * MS));
        assertTrue(cache.contains(key("small")));
        assertFalse(cache.contains(key("large")));
        assertTrue(cache.contains(key("new")));
    }

    @Test
    void reuseRaisesAnEntrysValue() {
        TieredOutputCache cache = ramCache(200 * KiB, 0);
        putAndDrop(cache, "popular", tensor(100 * KiB, 1), cost(100 * MS));
        putAndDrop(cache, "unused", tensor(100 * KiB, 2), cost(100 * MS));
        for (int i = 0; i < 3; i++) {
            cache.release(key("popular"), cache.lookup(key("popular")).orElseThrow());
        }
        putAndDrop(cache, "new", tensor(100 * KiB, 3), cost(150 * MS));
        assertTrue(cache.contains(key("popular")));
        assertFalse(cache.contains(key("unused")));
    }

    @Test
    void twoAlternatingWorkflowsWithinBudgetBothStayCached() {
        TieredOutputCache cache = ramCache(1024 * KiB, 0);
        Random random = new Random(7);
        List<List<String>> workflows = List.of(
                List.of("a-loader", "a-encode", "a-sample", "a-decode", "a-save"),
                List.of("b-loader", "b-encode", "b-sample", "b-decode", "b-upscale", "b-save"));
        int runs = 0;
        int computed = 0;
        for (int round = 0; round < 10; round++) {
            for (List<String> workflow : workflows) {
                runs++;
                for (String node : workflow) {
                    Optional<CachedOutputs> hit = cache.lookup(key(node));
                    if (hit.isPresent()) {
                        cache.release(key(node), hit.get());
                    } else {
                        computed++;
                        putAndDrop(cache, node, tensor((40 + random.nextInt(40)) * KiB, 0), cost(300 * MS));
                    }
                }
            }
        }
        assertEquals(20, runs);
        assertEquals(11, computed, "each node computed once; ComfyUI's classic cache would recompute both every time");
        assertEquals(0, number(cache.stats(), "evictions"));
    }

    @Test
    void modelsHaveTheirOwnBudgetAndLeasedModelsAreNeverEvicted() {
        TieredOutputCache cache = ramCache(100 * KiB, 450 * KiB);
        putAndDrop(cache, "model-1", tensor(300 * KiB, 1), modelCost(5_000 * MS));
        // Intermediates churn through the small host budget without touching the model.
        for (int i = 0; i < 10; i++) {
            putAndDrop(cache, "latent-" + i, tensor(60 * KiB, i), cost(10 * MS));
        }
        assertEquals(Optional.of(Tier.MODELS), cache.tierOf(key("model-1")));
        assertTrue(number(tier(cache.stats(), "host"), "bytes") <= 100 * KiB);

        // A running job holds model-1; a second model that does not fit beside it is not kept.
        CachedOutputs held = cache.lookup(key("model-1")).orElseThrow();
        putAndDrop(cache, "model-2", tensor(300 * KiB, 2), modelCost(5_000 * MS));
        assertEquals(Optional.of(Tier.MODELS), cache.tierOf(key("model-1")));
        assertFalse(cache.contains(key("model-2")));
        assertTrue(number(tier(cache.stats(), "models"), "bytes") <= 450 * KiB);

        // Once the job lets go, a more valuable model may take its place.
        cache.release(key("model-1"), held);
        putAndDrop(cache, "model-3", tensor(300 * KiB, 3), modelCost(60_000 * MS));
        assertFalse(cache.contains(key("model-1")));
        assertEquals(Optional.of(Tier.MODELS), cache.tierOf(key("model-3")));
    }

    @Test
    void pinnedEntriesStayUntilUnpinned() {
        TieredOutputCache cache = ramCache(200 * KiB, 0);
        putAndDrop(cache, "pinned", tensor(100 * KiB, 1), cost(1 * MS)); // the cheapest: first to go if unpinned
        assertTrue(cache.pin(key("pinned")));
        assertFalse(cache.pin(key("absent")));
        for (int i = 0; i < 5; i++) {
            putAndDrop(cache, "other-" + i, tensor(100 * KiB, i), cost(1_000 * MS));
            assertTrue(cache.contains(key("pinned")));
        }
        assertEquals(1, number(tier(cache.stats(), "host"), "pinned"));
        assertTrue(cache.unpin(key("pinned")));
        putAndDrop(cache, "after", tensor(100 * KiB, 9), cost(1_000 * MS));
        assertFalse(cache.contains(key("pinned")));
    }

    @Test
    void aLeaseKeepsAnEntryAndReleaseGivesItBack() {
        TieredOutputCache cache = ramCache(200 * KiB, 0);
        TensorRef leasedValue = tensor(100 * KiB, 1);
        putAndDrop(cache, "leased", leasedValue, cost(1 * MS));
        CachedOutputs first = cache.lookup(key("leased")).orElseThrow();
        CachedOutputs second = cache.lookup(key("leased")).orElseThrow();
        assertSame(leasedValue, first.outputs().get(0).get(0));
        assertEquals(3, leasedValue.referenceCount(), "the cache's and two leases");
        assertEquals(1, number(tier(cache.stats(), "host"), "leased"));

        for (int i = 0; i < 4; i++) {
            putAndDrop(cache, "other-" + i, tensor(100 * KiB, i), cost(1_000 * MS));
        }
        assertTrue(cache.contains(key("leased")), "a leased entry is not evicted");

        cache.release(key("leased"), first);
        assertEquals(2, leasedValue.referenceCount());
        assertEquals(1, number(tier(cache.stats(), "host"), "leased"), "one lease still out");
        cache.release(key("leased"), second);
        assertEquals(1, leasedValue.referenceCount());
        assertEquals(0, number(tier(cache.stats(), "host"), "leased"));

        putAndDrop(cache, "after", tensor(100 * KiB, 9), cost(1_000 * MS));
        assertFalse(cache.contains(key("leased")));
        assertTrue(leasedValue.isFreed(), "evicted and released");
    }

    @Test
    void anEntryLargerThanTheWholeTierIsNotKept() {
        TieredOutputCache cache = ramCache(100 * KiB, 0);
        TensorRef big = tensor(200 * KiB, 1);
        putAndDrop(cache, "big", big, cost(1_000 * MS));
        assertFalse(cache.contains(key("big")));
        assertTrue(big.isFreed());
    }

    @Test
    void theFirstPutOfAKeyWins() {
        TieredOutputCache cache = ramCache(1024 * KiB, 0);
        TensorRef original = tensor(10 * KiB, 1);
        TensorRef duplicate = tensor(10 * KiB, 1);
        putAndDrop(cache, "same", original, cost(MS));
        putAndDrop(cache, "same", duplicate, cost(MS));
        assertTrue(duplicate.isFreed(), "not retained");
        CachedOutputs found = cache.lookup(key("same")).orElseThrow();
        assertSame(original, found.outputs().get(0).get(0));
        cache.release(key("same"), found);
    }

    @Test
    void valuesWithoutNativeMemoryCountASmallConstant() {
        TieredOutputCache cache = ramCache(1024 * KiB, 0);
        cache.put(key("text"), new CachedOutputs(List.of(List.of("hello", 42L)), List.of("h"), Map.of()), cost(MS));
        assertEquals(2 * CacheEntry.NON_NATIVE_BYTES, number(tier(cache.stats(), "host"), "bytes"));
    }

    @Test
    void statsAddUp() {
        TieredOutputCache cache = ramCache(250 * KiB, 500 * KiB);
        putAndDrop(cache, "a", tensor(100 * KiB, 1), cost(100 * MS));
        putAndDrop(cache, "b", tensor(100 * KiB, 2), cost(300 * MS));
        putAndDrop(cache, "m", tensor(200 * KiB, 3), modelCost(2_000 * MS));
        for (String name : List.of("a", "a", "b", "m")) {
            cache.release(key(name), cache.lookup(key(name)).orElseThrow());
        }
        assertTrue(cache.lookup(key("missing")).isEmpty());
        putAndDrop(cache, "c", tensor(100 * KiB, 4), cost(50 * MS)); // evicts one of a (hits 2) / b (hits 1) / c

        Map<String, Object> stats = cache.stats();
        long host = number(tier(stats, "host"), "hits");
        long models = number(tier(stats, "models"), "hits");
        assertEquals(3, host);
        assertEquals(1, models);
        assertEquals(host + models + number(tier(stats, "accelerator"), "hits") + number(tier(stats, "disk"), "hits"),
                number(stats, "hits"));
        assertEquals(1, number(stats, "misses"));
        assertEquals(4, number(stats, "puts"));
        assertEquals(1, number(stats, "evictions"));
        assertEquals((3 * 100 + 200) * KiB, number(stats, "bytes_saved"));
        assertEquals((2 * 100 + 300 + 2_000) * MS, number(stats, "recompute_nanos_saved"));
        assertEquals(2.5, (double) stats.get("recompute_seconds_saved"), 1e-9);
        assertEquals(number(tier(stats, "host"), "entries") + number(tier(stats, "models"), "entries")
                + number(tier(stats, "accelerator"), "entries"), number(stats, "entries"));
        assertEquals(3, number(stats, "entries"));
        assertEquals(number(tier(stats, "host"), "bytes") + number(tier(stats, "models"), "bytes"),
                number(stats, "bytes"));
        assertEquals(250 * KiB, number(tier(stats, "host"), "budget_bytes"));
        assertEquals(500 * KiB, number(tier(stats, "models"), "budget_bytes"));
    }

    @Test
    void releaseOfOutputsTheCacheNoLongerHoldsJustReleasesThem() {
        TieredOutputCache cache = ramCache(1024 * KiB, 0);
        TensorRef value = tensor(10 * KiB, 1);
        putAndDrop(cache, "x", value, cost(MS));
        CachedOutputs lease = cache.lookup(key("x")).orElseThrow();
        cache.clear(); // leased entries stay
        assertTrue(cache.contains(key("x")));
        cache.release(key("x"), lease);
        cache.clear();
        assertFalse(cache.contains(key("x")));
        assertTrue(value.isFreed());
    }

    @Test
    void putAfterCloseIsIgnored() {
        TieredOutputCache cache = ramCache(1024 * KiB, 0);
        cache.close();
        TensorRef value = tensor(10 * KiB, 1);
        cache.put(key("late"), outputs("late", value), cost(MS));
        value.release();
        assertTrue(value.isFreed());
        assertFalse(cache.contains(key("late")));
    }
}
