package dev.easel.caching;

import static dev.easel.caching.Fixtures.MS;
import static dev.easel.caching.Fixtures.arange;
import static dev.easel.caching.Fixtures.cost;
import static dev.easel.caching.Fixtures.key;
import static dev.easel.caching.Fixtures.modelCost;
import static dev.easel.caching.Fixtures.number;
import static dev.easel.caching.Fixtures.putAndDrop;
import static dev.easel.caching.Fixtures.sameValues;
import static dev.easel.caching.Fixtures.tensor;
import static dev.easel.caching.Fixtures.tier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.caching.disk.DiskTier;
import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.cache.CachedOutputs;
import dev.easel.node.RefCounted;
import dev.easel.nodes.core.value.Latent;
import dev.easel.runtime.TensorRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk tier: demotion, restart, corruption, budget, value kinds and Latent round trips. */
class DiskTierTest {

    private static final long KiB = 1024;

    @TempDir
    Path dir;

    private TieredOutputCache cache(long hostBytes) {
        return new TieredOutputCache(new CacheSettings(0, hostBytes, 64 * CacheSettings.MiB, 64 * CacheSettings.MiB,
                dir));
    }

    private Path fileOf(CacheKey key) {
        String hex = key.hex();
        return dir.resolve(hex.substring(0, 2)).resolve(hex + ".safetensors");
    }

    @Test
    void evictedEntriesMoveToDiskAndAreServedFromThere() {
        TieredOutputCache cache = cache(150 * KiB);
        TensorRef original = arange(100 * 256); // 100 KiB of distinct floats
        TensorRef keep = original;
        keep.retain(); // the test keeps a reference to compare with later
        putAndDrop(cache, "first", original, cost(10 * MS));
        putAndDrop(cache, "second", tensor(100 * KiB, 2), cost(1_000 * MS));

        assertEquals(Optional.of(Tier.DISK), cache.tierOf(key("first")));
        assertTrue(Files.isRegularFile(fileOf(key("first"))), "content-addressed layout <dir>/<2 hex>/<hex>");
        assertEquals(1, number(cache.stats(), "demotions"));
        assertEquals(1, keep.referenceCount(), "the cache let go of its RAM copy");

        CachedOutputs found = cache.lookup(key("first")).orElseThrow();
        TensorRef loaded = (TensorRef) found.outputs().get(0).get(0);
        assertNotSame(keep, loaded);
        assertTrue(sameValues(keep, loaded));
        assertEquals(List.of("hash-first"), found.slotHashes());
        assertEquals(1, number(tier(cache.stats(), "disk"), "hits"));
        assertEquals(Optional.of(Tier.HOST), cache.tierOf(key("first")), "promoted back into RAM");
        cache.release(key("first"), found);
        keep.release();
        cache.close();
    }

    @Test
    void aNewCacheOnTheSameDirectoryServesTheOldOnesEntries() {
        TensorRef samples = arange(2, 4, 8, 8);
        samples.retain();
        Map<String, List<Object>> ui = new LinkedHashMap<>();
        ui.put("images", List.of(Map.of("filename", "ComfyUI_00001_.png", "subfolder", "", "type", "output")));
        ui.put("numbers", List.of(1L, 2.5, true));
        CachedOutputs outputs = new CachedOutputs(
                List.of(List.of(samples), List.of(7L, Double.NaN, "text", false)),
                List.of("slot-0-hash", "slot-1-hash"), ui);
        try (TieredOutputCache first = cache(1024 * KiB)) {
            first.put(key("kept"), outputs, cost(750 * MS));
        } // close() flushes RAM entries to disk

        TieredOutputCache second = cache(1024 * KiB);
        CachedOutputs found = second.lookup(key("kept")).orElseThrow();
        assertTrue(sameValues(samples, (TensorRef) found.outputs().get(0).get(0)));
        assertEquals(List.of(7L, Double.NaN, "text", false), found.outputs().get(1));
        assertEquals(outputs.slotHashes(), found.slotHashes());
        assertEquals(ui, found.ui());
        second.release(key("kept"), found);

        Map<String, Object> stats = second.stats();
        assertEquals(1, number(tier(stats, "disk"), "hits"));
        assertEquals(750 * MS, number(stats, "recompute_nanos_saved"), "the cost survived the restart");
        samples.release();
        second.close();
    }

    @Test
    void writeThroughMakesAnEntryVisibleToAnotherProcessAtOnce() {
        TieredOutputCache writer = new TieredOutputCache(new CacheSettings(0, 1024 * KiB, 64 * CacheSettings.MiB, 0,
                dir, true));
        putAndDrop(writer, "shared", tensor(10 * KiB, 3), cost(100 * MS));
        TieredOutputCache reader = cache(1024 * KiB);
        CachedOutputs found = reader.lookup(key("shared")).orElseThrow();
        assertEquals(3.0, Fixtures.first((TensorRef) found.outputs().get(0).get(0)));
        reader.release(key("shared"), found);
        assertEquals(Optional.of(Tier.HOST), writer.tierOf(key("shared")), "still in the writer's RAM too");
    }

    @Test
    void aFlippedDataByteIsDetectedAndTheFileDeleted() throws IOException {
        writeOneEntry("flipped");
        Path file = fileOf(key("flipped"));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long last = channel.size() - 1; // the data section ends the file
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, last);
            one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
            channel.write(one, last);
        }
        assertCorruptEntryIsAMiss("flipped", file);
    }

    @Test
    void aTruncatedFileIsDetectedAndDeleted() throws IOException {
        writeOneEntry("truncated");
        Path file = fileOf(key("truncated"));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 2);
        }
        assertCorruptEntryIsAMiss("truncated", file);
    }

    @Test
    void aFileUnderAnotherKeysNameIsNotServed() throws IOException {
        writeOneEntry("real");
        Path wrong = fileOf(key("impostor"));
        Files.createDirectories(wrong.getParent());
        Files.copy(fileOf(key("real")), wrong);
        assertCorruptEntryIsAMiss("impostor", wrong);
    }

    private void writeOneEntry(String name) {
        try (TieredOutputCache writer = cache(1024 * KiB)) {
            putAndDrop(writer, name, arange(64, 64), cost(100 * MS));
        }
        assertTrue(Files.isRegularFile(fileOf(key(name))));
    }

    private void assertCorruptEntryIsAMiss(String name, Path file) {
        TieredOutputCache reader = cache(1024 * KiB);
        assertTrue(reader.lookup(key(name)).isEmpty(), "never served");
        assertFalse(Files.exists(file), "deleted");
        Map<String, Object> stats = reader.stats();
        assertEquals(1, number(stats, "corrupt_entries"));
        assertEquals(1, number(stats, "misses"));
        assertEquals(0, number(stats, "hits"));
    }

    @Test
    void aLatentWithItsNoiseMaskRoundTripsThroughDisk() {
        TensorRef samples = arange(1, 4, 8, 8);
        TensorRef mask = arange(1, 1, 64, 64);
        Latent latent = Latent.of(samples, mask); // owns the test's one reference to each tensor
        String hash = latent.contentHash();
        try (TieredOutputCache writer = cache(1024 * KiB)) {
            putAndDrop(writer, "latent", latent, cost(200 * MS));
        }
        assertTrue(samples.isFreed() && mask.isFreed(), "the writer let go");

        TieredOutputCache reader = cache(1024 * KiB);
        CachedOutputs found = reader.lookup(key("latent")).orElseThrow();
        Latent restored = assertInstanceOf(Latent.class, found.outputs().get(0).get(0));
        assertEquals(hash, restored.contentHash());
        assertTrue(restored.noiseMask().isPresent());
        assertEquals(List.of(1L, 1L, 64L, 64L), List.of(box(restored.noiseMask().get().shape())));
        reader.release(key("latent"), found);
        reader.close();
        assertTrue(restored.samples().isFreed() && restored.noiseMask().get().isFreed(), "nothing leaked");
    }

    private static Long[] box(long[] values) {
        Long[] boxed = new Long[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }

    @Test
    void theSameTensorInTwoSlotsIsStoredOnceAndCountedRight() {
        TensorRef shared = arange(16, 16);
        CachedOutputs outputs = new CachedOutputs(List.of(List.of(shared), List.of(shared)), List.of("a", "b"),
                Map.of());
        try (TieredOutputCache writer = cache(1024 * KiB)) {
            writer.put(key("twice"), outputs, cost(100 * MS));
            shared.release();
        }
        TieredOutputCache reader = cache(1024 * KiB);
        CachedOutputs found = reader.lookup(key("twice")).orElseThrow();
        TensorRef a = (TensorRef) found.outputs().get(0).get(0);
        assertTrue(a == found.outputs().get(1).get(0), "one tensor, as it was written");
        assertEquals(4, a.referenceCount(), "the cache's and the lease's, per slot");
        reader.release(key("twice"), found);
        reader.close();
        assertTrue(a.isFreed());
    }

    @Test
    void modelsAndUnstorableValuesAreNeverWrittenToDisk() {
        TieredOutputCache cache = new TieredOutputCache(new CacheSettings(0, 100 * KiB, 64 * CacheSettings.MiB,
                100 * KiB, dir));
        putAndDrop(cache, "model", tensor(80 * KiB, 1), modelCost(1_000 * MS));
        putAndDrop(cache, "model-2", tensor(80 * KiB, 2), modelCost(9_000 * MS));
        RefCounted opaque = new RefCounted() {
            @Override
            public void retain() {
            }

            @Override
            public void release() {
            }

            @Override
            public long nativeBytes() {
                return 80 * KiB;
            }
        };
        cache.put(key("opaque"), Fixtures.outputs("opaque", opaque), cost(10 * MS));
        putAndDrop(cache, "latent", tensor(80 * KiB, 3), cost(1_000 * MS));
        cache.close();
        assertFalse(cache.contains(key("model")));
        assertFalse(cache.contains(key("opaque")));
        assertTrue(cache.contains(key("latent")), "flushed on close");
        assertEquals(2, number(cache.stats(), "evictions"), "the model and the opaque value were dropped");
    }

    @Test
    void entriesCheaperToRecomputeThanToReadBackAreDroppedNotStored() {
        TieredOutputCache cache = cache(100 * KiB);
        putAndDrop(cache, "trivial", tensor(80 * KiB, 1), cost(50_000)); // 50 µs: a disk read would cost more
        putAndDrop(cache, "next", tensor(80 * KiB, 2), cost(1_000 * MS));
        assertFalse(cache.contains(key("trivial")));
        assertFalse(Files.exists(fileOf(key("trivial"))));
        assertEquals(1, number(cache.stats(), "evictions"));
        assertEquals(0, number(cache.stats(), "demotions"));
    }

    @Test
    void theDiskBudgetHoldsAndKeepsTheValuableEntries() throws IOException {
        long entry = 64 * KiB;
        long budget = 4 * entry + 8 * KiB; // room for four entries and their headers
        TieredOutputCache cache = new TieredOutputCache(new CacheSettings(0, 0, budget, 0, dir));
        for (int i = 0; i < 12; i++) {
            long nanos = i % 3 == 0 ? 60_000 * MS : 10 * MS; // every third is expensive
            putAndDrop(cache, "e" + i, tensor(entry, i), cost(nanos));
            assertTrue(directoryBytes() <= budget, "disk over budget after entry " + i);
        }
        for (int i = 0; i < 12; i += 3) {
            assertTrue(cache.contains(key("e" + i)), "expensive entry e" + i + " kept");
        }
        assertTrue(number(tier(cache.stats(), "disk"), "evictions") >= 8);
        assertEquals(4, number(tier(cache.stats(), "disk"), "entries"));
    }

    private long directoryBytes() throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    @Test
    void pinningAnEntryThatIsOnlyOnDiskBringsItIntoRam() {
        writeOneEntry("cold");
        TieredOutputCache cache = cache(1024 * KiB);
        assertEquals(Optional.of(Tier.DISK), cache.tierOf(key("cold")));
        assertTrue(cache.pin(key("cold")));
        assertEquals(Optional.of(Tier.HOST), cache.tierOf(key("cold")));
        Map<String, Object> stats = cache.stats();
        assertEquals(1, number(tier(stats, "host"), "pinned"));
        assertEquals(0, number(tier(stats, "host"), "leased"));
        assertEquals(0, number(stats, "hits"), "pinning is not a hit");
        cache.close();
    }

    @Test
    void aSecondDiskTierSeesTheSameFilesAndTheirSizes() {
        writeOneEntry("seen");
        DiskTier other = new DiskTier(dir, 64 * CacheSettings.MiB, PersistableFactories.fromClassPath());
        assertTrue(other.contains(key("seen")));
        assertEquals(1L, other.stats().get("entries"));
    }
}
