package dev.easel.caching;

import static dev.easel.caching.Fixtures.MS;
import static dev.easel.caching.Fixtures.cost;
import static dev.easel.caching.Fixtures.first;
import static dev.easel.caching.Fixtures.key;
import static dev.easel.caching.Fixtures.number;
import static dev.easel.caching.Fixtures.putAndDrop;
import static dev.easel.caching.Fixtures.tensor;
import static dev.easel.caching.Fixtures.tier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.cache.CachedOutputs;
import dev.easel.node.RefCounted;
import dev.easel.runtime.TensorRef;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

/** Accelerator to host demotion, with a fake device: tensors in {@link FakeDevice#onDevice} "live on the GPU". */
class AcceleratorTierTest {

    private static final long KiB = 1024;

    /** Marks tensors as accelerator-resident; "moving" one clones it into a new, host-resident TensorRef. */
    static final class FakeDevice implements DeviceMover {
        final Set<Object> onDevice = Collections.newSetFromMap(new IdentityHashMap<>());
        int moves;

        TensorRef deviceTensor(long bytes, double fill) {
            TensorRef t = tensor(bytes, fill);
            onDevice.add(t);
            return t;
        }

        @Override
        public boolean onAccelerator(Object value) {
            return onDevice.contains(value);
        }

        @Override
        public Object toHost(Object value) {
            if (value instanceof TensorRef t && onDevice.contains(t)) {
                moves++;
                try (PointerScope scope = new PointerScope()) {
                    TensorRef copy = TensorRef.of(t.tensor().clone());
                    copy.retain();
                    return copy;
                }
            }
            if (value instanceof RefCounted rc) {
                rc.retain();
            }
            return value;
        }
    }

    @Test
    void overBudgetAcceleratorEntriesMoveToHost() {
        FakeDevice device = new FakeDevice();
        TieredOutputCache cache = new TieredOutputCache(new CacheSettings(200 * KiB, 1024 * KiB, 0, 0, null),
                device, PersistableFactories.fromClassPath());
        TensorRef cheap = device.deviceTensor(100 * KiB, 1);
        putAndDrop(cache, "cheap", cheap, cost(10 * MS));
        putAndDrop(cache, "dear", device.deviceTensor(100 * KiB, 2), cost(1_000 * MS));
        putAndDrop(cache, "new", device.deviceTensor(100 * KiB, 3), cost(500 * MS));

        assertEquals(Optional.of(Tier.HOST), cache.tierOf(key("cheap")));
        assertEquals(Optional.of(Tier.ACCELERATOR), cache.tierOf(key("dear")));
        assertEquals(Optional.of(Tier.ACCELERATOR), cache.tierOf(key("new")));
        assertEquals(1, device.moves);
        assertTrue(cheap.isFreed(), "the device copy is released once the host copy is made");

        Map<String, Object> stats = cache.stats();
        assertEquals(1, number(stats, "demotions"));
        assertEquals(0, number(stats, "evictions"));
        assertEquals(2, number(tier(stats, "accelerator"), "entries"));
        assertEquals(200 * KiB, number(tier(stats, "accelerator"), "bytes"));
        assertEquals(1, number(tier(stats, "host"), "entries"));

        CachedOutputs found = cache.lookup(key("cheap")).orElseThrow();
        TensorRef host = (TensorRef) found.outputs().get(0).get(0);
        assertNotSame(cheap, host);
        assertEquals(1.0, first(host));
        assertEquals("hash-cheap", found.slotHashes().get(0));
        cache.release(key("cheap"), found);
        assertEquals(1, number(tier(cache.stats(), "host"), "hits"));
    }

    @Test
    void anEntryLargerThanTheAcceleratorBudgetGoesStraightToHost() {
        FakeDevice device = new FakeDevice();
        TieredOutputCache cache = new TieredOutputCache(new CacheSettings(50 * KiB, 1024 * KiB, 0, 0, null),
                device, PersistableFactories.fromClassPath());
        putAndDrop(cache, "big", device.deviceTensor(100 * KiB, 1), cost(10 * MS));
        assertEquals(Optional.of(Tier.HOST), cache.tierOf(key("big")));
        assertEquals(0, number(tier(cache.stats(), "accelerator"), "entries"));
    }

    @Test
    void leasedAcceleratorEntriesStayOnTheDevice() {
        FakeDevice device = new FakeDevice();
        TieredOutputCache cache = new TieredOutputCache(new CacheSettings(100 * KiB, 1024 * KiB, 0, 0, null),
                device, PersistableFactories.fromClassPath());
        putAndDrop(cache, "held", device.deviceTensor(100 * KiB, 1), cost(MS));
        CachedOutputs lease = cache.lookup(key("held")).orElseThrow();
        putAndDrop(cache, "next", device.deviceTensor(100 * KiB, 2), cost(1_000 * MS));
        assertEquals(Optional.of(Tier.ACCELERATOR), cache.tierOf(key("held")));
        assertEquals(Optional.of(Tier.HOST), cache.tierOf(key("next")), "the new entry made way");
        cache.release(key("held"), lease);
    }
}
