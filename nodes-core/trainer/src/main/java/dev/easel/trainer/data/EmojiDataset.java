package dev.easel.trainer.data;

import dev.easel.runtime.Torch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The emoji training set in memory: all images as one uint8 tensor {@code [N, 3, 64, 64]} (composited on white,
 * 12 KiB each, so ~90 MB for the full set) and their {@link EmojiEntry entries} in the same order. Training takes
 * float batches in [-1, 1] with {@link #batch(long[])}, in the order of a seeded {@link ShuffledBatches}.
 *
 * <p>Owns its tensor: {@link #close()} frees it. Not thread-safe for {@code close()} against other calls.
 */
public final class EmojiDataset implements AutoCloseable {

    /** Images decoded at once while building: bounds the Java heap used to ~6 MB. */
    private static final int CHUNK = 512;

    private final List<EmojiEntry> entries;
    private Tensor images;

    /** Takes over {@code images}' reference (from {@link OwnedTensors#owned}). */
    EmojiDataset(List<EmojiEntry> entries, Tensor images) {
        this.entries = List.copyOf(entries);
        this.images = images;
        long[] shape;
        try (PointerScope scope = new PointerScope()) {
            shape = images.sizes().vec().get();
        }
        long[] expected = {entries.size(), 3, EmojiImages.SIZE, EmojiImages.SIZE};
        ScalarType dtype = images.scalar_type().intern(); // JNI hands out copies of the enum
        if (!Arrays.equals(shape, expected) || dtype != ScalarType.Byte) {
            images.releaseReference();
            throw new IllegalArgumentException("images must be uint8 " + Arrays.toString(expected) + ", not "
                    + dtype + " " + Arrays.toString(shape));
        }
    }

    /**
     * Reads and composites the PNG of every entry. {@code imageFolder} gives the folder of a set's 64×64 images.
     *
     * @throws IOException naming the file of the first image that cannot be read
     */
    public static EmojiDataset build(List<EmojiEntry> entries, Function<EmojiSet, Path> imageFolder)
            throws IOException {
        Torch.load();
        int n = entries.size();
        Tensor images = OwnedTensors.owned(() -> torch.empty(new long[] {n, 3, EmojiImages.SIZE, EmojiImages.SIZE},
                new TensorOptions(ScalarType.Byte), new MemoryFormatOptional()));
        try {
            BytePointer data = images.data_ptr_byte();
            try {
                for (int start = 0; start < n; start += CHUNK) {
                    int from = start;
                    List<byte[]> decoded = IntStream.range(from, Math.min(n, from + CHUNK)).parallel()
                            .mapToObj(i -> decode(entries.get(i), imageFolder)).toList();
                    for (int k = 0; k < decoded.size(); k++) {
                        data.position((long) (from + k) * EmojiImages.BYTES).put(decoded.get(k));
                    }
                }
            } finally {
                data.close();
            }
        } catch (UncheckedIOException e) {
            images.releaseReference();
            throw e.getCause();
        } catch (RuntimeException e) {
            images.releaseReference();
            throw e;
        }
        return new EmojiDataset(entries, images);
    }

    private static byte[] decode(EmojiEntry entry, Function<EmojiSet, Path> imageFolder) {
        try {
            return EmojiImages.onWhite(imageFolder.apply(entry.set()).resolve(entry.image()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Number of images. */
    public int size() {
        return entries.size();
    }

    /** The entries, in tensor order. */
    public List<EmojiEntry> entries() {
        return entries;
    }

    /** The captions, in tensor order. */
    public List<String> captions() {
        return entries.stream().map(EmojiEntry::caption).toList();
    }

    /** Bytes the image tensor holds. */
    public long imageBytes() {
        return (long) size() * EmojiImages.BYTES;
    }

    /**
     * The images at {@code indices} as a new float32 tensor {@code [B, 3, 64, 64]} in [-1, 1] (0 → −1, 255 → 1), in
     * the caller's {@link org.bytedeco.javacpp.PointerScope} like any libtorch result.
     *
     * @throws IndexOutOfBoundsException for an index outside 0..size−1
     */
    public Tensor batch(long[] indices) {
        for (long i : indices) {
            Objects.checkIndex(i, size());
        }
        Tensor source = images();
        return OwnedTensors.toCaller(() -> source.index_select(0, indexTensor(indices)).to(ScalarType.Float)
                .div(new Scalar(127.5)).sub(new Scalar(1.0)));
    }

    /** The uint8 images at {@code indices}, {@code [B, 3, 64, 64]}, in the caller's scope. */
    public Tensor bytes(long[] indices) {
        for (long i : indices) {
            Objects.checkIndex(i, size());
        }
        Tensor source = images();
        return OwnedTensors.toCaller(() -> source.index_select(0, indexTensor(indices)));
    }

    /**
     * A seeded random subset of {@code limit} images (all of them when {@code limit ≥ size()}), kept in this set's
     * order; the same seed always picks the same images. The subset owns a copy; close both.
     */
    public EmojiDataset subset(int limit, long seed) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be ≥ 0, not " + limit);
        }
        long[] chosen = ShuffledBatches.permutation(size(), new Random(seed));
        chosen = Arrays.copyOf(chosen, Math.min(limit, size()));
        Arrays.sort(chosen);
        List<EmojiEntry> picked = new ArrayList<>(chosen.length);
        for (long i : chosen) {
            picked.add(entries.get((int) i));
        }
        long[] indices = chosen;
        Tensor source = images();
        return new EmojiDataset(picked, OwnedTensors.owned(() -> source.index_select(0, indexTensor(indices))));
    }

    /** Seeded shuffled batches over this set (see {@link ShuffledBatches}). */
    public ShuffledBatches batches(int batchSize, long seed) {
        return new ShuffledBatches(size(), batchSize, seed);
    }

    /** The uint8 image tensor itself, owned by this dataset: valid until {@link #close()}; do not modify. */
    Tensor images() {
        if (images == null) {
            throw new IllegalStateException("the dataset is closed");
        }
        return images;
    }

    private static Tensor indexTensor(long[] indices) {
        LongPointer pointer = new LongPointer(indices); // freed with the enclosing scope
        return torch.from_blob(pointer, new long[] {indices.length}, new TensorOptions(ScalarType.Long)).clone();
    }

    /** Frees the image tensor. Idempotent. */
    @Override
    public void close() {
        if (images != null) {
            images.releaseReference();
            images = null;
        }
    }
}
