package dev.easel.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmojiDatasetTest {

    private static final int N = EmojiFixture.GOOGLE_CAPTIONS.size() + EmojiFixture.TWITTER_CAPTIONS.size();

    @TempDir
    Path dir;

    @Test
    void batchesAreTheCompositedPixelsScaledToMinusOneOne() throws IOException {
        EmojiFixture.write(dir);
        try (EmojiDataset dataset = build(); PointerScope scope = new PointerScope()) {
            assertEquals(N, dataset.size());
            assertEquals(N * 3L * 64 * 64, dataset.imageBytes());
            long[] indices = {3, 0, N - 1};
            Tensor batch = dataset.batch(indices);
            assertEquals(ScalarType.Float, batch.scalar_type().intern());
            assertArrayEquals(new long[] {3, 3, 64, 64}, batch.sizes().vec().get());
            float[] values = floats(batch);
            for (int b = 0; b < indices.length; b++) {
                EmojiEntry entry = dataset.entries().get((int) indices[b]);
                byte[] expected = EmojiImages.onWhite(imageFile(entry));
                for (int k = 0; k < EmojiImages.BYTES; k++) {
                    float value = values[b * EmojiImages.BYTES + k];
                    assertEquals((expected[k] & 0xFF) / 127.5f - 1f, value, 1e-6f, entry.image() + " value " + k);
                    assertTrue(value >= -1f && value <= 1f);
                }
                // x = 0 below row 0 is fully transparent in every fixture image: white, i.e. 1.
                assertEquals(1f, values[b * EmojiImages.BYTES + 64], 0f);
            }
        }
    }

    @Test
    void bytesAreTheUint8Images() throws IOException {
        EmojiFixture.write(dir);
        try (EmojiDataset dataset = build(); PointerScope scope = new PointerScope()) {
            Tensor bytes = dataset.bytes(new long[] {5});
            assertEquals(ScalarType.Byte, bytes.scalar_type().intern());
            byte[] actual = new byte[EmojiImages.BYTES];
            bytes.contiguous().data_ptr_byte().get(actual);
            assertArrayEquals(EmojiImages.onWhite(imageFile(dataset.entries().get(5))), actual);
            assertThrows(IndexOutOfBoundsException.class, () -> dataset.batch(new long[] {N}));
        }
    }

    @Test
    void cacheRoundTripKeepsEntriesAndPixels() throws IOException {
        EmojiFixture.write(dir);
        Path file = DatasetCache.file(dir);
        assertTrue(!DatasetCache.isCurrent(file));
        try (EmojiDataset built = DatasetCache.loadOrBuild(dir)) {
            assertTrue(DatasetCache.isCurrent(file));
            // The PNGs are gone: what comes back must come from the cache.
            deleteImages();
            try (EmojiDataset cached = DatasetCache.loadOrBuild(dir); PointerScope scope = new PointerScope()) {
                assertEquals(built.entries(), cached.entries());
                assertEquals(built.captions(), cached.captions());
                long[] all = java.util.stream.LongStream.range(0, N).toArray();
                assertTrue(built.bytes(all).equal(cached.bytes(all)));
            }
        }
    }

    @Test
    void aCacheOfAnotherFormatIsNotCurrentAndNotRead() throws IOException {
        EmojiFixture.write(dir);
        Path file = DatasetCache.file(dir);
        Files.writeString(file, "not safetensors");
        assertTrue(!DatasetCache.isCurrent(file));
        IOException e = assertThrows(IOException.class, () -> DatasetCache.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        try (EmojiDataset rebuilt = DatasetCache.loadOrBuild(dir)) { // replaced by a good one
            assertEquals(N, rebuilt.size());
        }
        assertTrue(DatasetCache.isCurrent(file));
    }

    @Test
    void aMissingImageFailsTheBuildNamingTheFile() throws IOException {
        EmojiFixture.write(dir);
        Path gone = EmojiSet.TWITTER.imageFolder(EmojiFetch.packageFolder(dir, EmojiSet.TWITTER)).resolve("1f600.png");
        Files.delete(gone);
        IOException e = assertThrows(IOException.class, this::build);
        assertTrue(e.getMessage().contains(gone.toString()), e.getMessage());
    }

    @Test
    void seededSubsetIsRepeatableAndKeepsTheRowsOfItsEntries() throws IOException {
        EmojiFixture.write(dir);
        try (EmojiDataset dataset = build();
                EmojiDataset a = dataset.subset(5, 42);
                EmojiDataset b = dataset.subset(5, 42);
                EmojiDataset c = dataset.subset(5, 43);
                EmojiDataset all = dataset.subset(1000, 42);
                PointerScope scope = new PointerScope()) {
            assertEquals(5, a.size());
            assertEquals(a.entries(), b.entries());
            assertNotEquals(a.entries(), c.entries());
            assertEquals(dataset.entries(), all.entries());
            List<EmojiEntry> full = dataset.entries();
            int previous = -1;
            for (int i = 0; i < a.size(); i++) {
                int original = full.indexOf(a.entries().get(i));
                assertTrue(original > previous, "subset keeps the set's order");
                previous = original;
                assertTrue(a.bytes(new long[] {i}).equal(dataset.bytes(new long[] {original})));
            }
        }
    }

    private EmojiDataset build() throws IOException {
        return EmojiDataset.build(EmojiCatalog.load(dir), set -> set.imageFolder(EmojiFetch.packageFolder(dir, set)));
    }

    private Path imageFile(EmojiEntry entry) {
        return entry.set().imageFolder(EmojiFetch.packageFolder(dir, entry.set())).resolve(entry.image());
    }

    private void deleteImages() throws IOException {
        for (EmojiSet set : EmojiSet.values()) {
            try (var files = Files.list(set.imageFolder(EmojiFetch.packageFolder(dir, set)))) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    private static float[] floats(Tensor t) {
        Tensor c = t.contiguous();
        float[] out = new float[(int) c.numel()];
        c.data_ptr_float().get(out);
        return out;
    }
}
