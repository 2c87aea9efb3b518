package dev.easel.runtime.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Writes safetensors files (format spec: https://github.com/huggingface/safetensors).
 *
 * <p>The header is laid out byte for byte as the reference writer does (compact JSON, {@code __metadata__} first
 * and only when non-empty, padded with spaces to a multiple of 8 bytes). Tensors are stored in the iteration order of
 * the map given, packed one after the other. The reference writer instead sorts them by dtype (wider types first),
 * then by name, which keeps every tensor aligned to its element size; pass the map through
 * {@link #referenceOrder(Map)} to get the same layout, and with it byte-identical files. Files in any other order are
 * valid and readable, but a tensor may then sit at an offset that is not a multiple of its element size, which
 * {@link SafetensorsFile#view} has to copy instead of viewing.
 *
 * <p>Each tensor is copied to a contiguous CPU tensor first when it is not one already (CUDA tensors, transposed
 * views, ...), one tensor at a time, and its bytes are streamed from native memory to the file in slices of at most
 * 1 GiB: no Java array of the tensor is ever built. Temporary wrappers are freed before each method returns.
 */
public final class SafetensorsWriter {

    /** The largest slice handed to one {@link ByteBuffer} (which cannot exceed 2 GiB). */
    private static final long SLICE_BYTES = 1L << 30;

    private SafetensorsWriter() {
    }

    /** {@link #write(Path, Map, Map)} without metadata. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} (in the map's iteration order) and {@code metadata} to {@code file}, creating or
     * truncating it in place. The file is not synced to disk, and a failure leaves a partial file behind. Callers
     * that need the old contents to survive a crash, or that replace a file which is open (and mapped) elsewhere,
     * must use {@link #writeAtomically} instead: truncating a mapped file crashes its readers.
     *
     * @throws IllegalArgumentException for a reserved or null name, an undefined, sparse or quantized tensor, or a
     *         dtype safetensors cannot store; nothing is written then
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(file, "file");
        Plan plan = plan(tensors, metadata);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeTo(channel, file, plan);
        }
    }

    /**
     * Writes like {@link #write(Path, Map, Map)}, but to a temporary file in the same folder which is synced to
     * disk and then renamed over {@code file} in one atomic step: readers see either the old file or the complete
     * new one, and readers that have the old one mapped keep reading it undisturbed. The temporary file is removed
     * on failure.
     *
     * @throws AtomicMoveNotSupportedException when the file system cannot rename atomically
     */
    public static void writeAtomically(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Plan plan = plan(tensors, metadata);
        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        Path temporary = folder.resolve("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean moved = false;
        try {
            // CREATE_NEW (not createTempFile) so that the file gets the usual permissions, not 0600.
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                writeTo(channel, temporary, plan);
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            syncFolder(folder);
        } finally {
            if (!moved) {
                Files.deleteIfExists(temporary);
            }
        }
    }

    /**
     * A copy of {@code tensors} in the order the reference writer stores them: by dtype in the reference's order,
     * widest first (U64, I64, F64, F32, U32, I32, BF16, F16, U16, I16, F8_E8M0, F8_E4M3, F8_E5M2, I8, U8, BOOL), then
     * by name (by UTF-8 bytes, as Rust compares strings). Writing in this order keeps every tensor aligned.
     *
     * @throws IllegalArgumentException for a tensor safetensors cannot store
     */
    public static Map<String, Tensor> referenceOrder(Map<String, Tensor> tensors) {
        TorchSupport.ready();
        Map<String, Integer> ranks = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> ranks.put(name, dtypeOf(name, tensor).referenceRank()));
        List<String> names = new ArrayList<>(tensors.keySet());
        names.sort(Comparator.<String>comparingInt(name -> -ranks.get(name)).thenComparing(SafetensorsWriter::compareUtf8));
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        names.forEach(name -> ordered.put(name, tensors.get(name)));
        return ordered;
    }

    // ---------------------------------------------------------------- internals

    /** One tensor to write, with its place in the data area. */
    private record Planned(SafetensorsHeader.Entry entry, Tensor tensor) {
    }

    /** The encoded header (without its length prefix) and the tensors in file order. */
    private record Plan(byte[] header, List<Planned> tensors) {
    }

    /** Checks every input, computes the layout and encodes the header, all before anything is written. */
    private static Plan plan(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        metadata.forEach((key, value) -> {
            if (key == null || value == null) {
                throw new IllegalArgumentException("metadata keys and values must not be null");
            }
            requireUnicode("metadata key \"" + key + "\"", key);
            requireUnicode("metadata value of \"" + key + "\"", value);
        });
        TorchSupport.ready();
        List<Planned> plan = new ArrayList<>(tensors.size());
        long offset = 0;
        try (PointerScope scope = new PointerScope()) { // frees the wrappers shape() allocates
            for (Map.Entry<String, Tensor> named : tensors.entrySet()) {
                String name = named.getKey();
                if (name == null || name.equals(SafetensorsHeader.METADATA_KEY)) {
                    throw new IllegalArgumentException("invalid tensor name: " + name);
                }
                requireUnicode("tensor name \"" + name + "\"", name);
                Tensor tensor = named.getValue();
                SafetensorsDtype dtype = dtypeOf(name, tensor);
                long[] shape = tensor.shape();
                long bytes = Math.multiplyExact(tensor.numel(), dtype.itemSize());
                plan.add(new Planned(new SafetensorsHeader.Entry(name, dtype, shape, offset, offset + bytes), tensor));
                offset += bytes;
            }
        }
        List<SafetensorsHeader.Entry> entries = new ArrayList<>(plan.size());
        plan.forEach(p -> entries.add(p.entry()));
        byte[] header = SafetensorsHeader.encode(metadata, entries);
        if (header.length > SafetensorsHeader.MAX_HEADER_SIZE) {
            throw new IllegalArgumentException("header of " + header.length + " bytes exceeds the format's limit of "
                    + SafetensorsHeader.MAX_HEADER_SIZE);
        }
        return new Plan(header, plan);
    }

    /** Header strings are UTF-8, which cannot hold an unpaired surrogate (nor can the reference's Rust strings). */
    private static void requireUnicode(String what, String text) {
        OptionalInt lone = SafetensorsHeader.loneSurrogate(text);
        if (lone.isPresent()) {
            throw new IllegalArgumentException(what + " holds an unpaired surrogate \\u"
                    + Integer.toHexString(lone.getAsInt()) + ", which UTF-8 cannot encode");
        }
    }

    private static SafetensorsDtype dtypeOf(String name, Tensor tensor) {
        if (tensor == null || tensor.isNull() || !tensor.defined()) {
            throw new IllegalArgumentException("tensor \"" + name + "\" is null, freed or undefined");
        }
        if (tensor.is_sparse() || tensor.is_sparse_csr() || tensor.is_quantized()) {
            throw new IllegalArgumentException("tensor \"" + name + "\" is sparse or quantized; safetensors stores "
                    + "dense tensors only");
        }
        try {
            return SafetensorsDtype.of(tensor.scalar_type());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor \"" + name + "\": " + e.getMessage(), e);
        }
    }

    private static void writeTo(FileChannel channel, Path file, Plan plan) throws IOException {
        byte[] header = plan.header();
        ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(header.length).put(header).flip();
        writeFully(channel, prefix);
        for (Planned planned : plan.tensors()) {
            writeData(channel, file, planned);
        }
    }

    /** Streams one tensor's bytes from native memory to the channel. */
    private static void writeData(FileChannel channel, Path file, Planned planned) throws IOException {
        SafetensorsHeader.Entry entry = planned.entry();
        long bytes = entry.end() - entry.begin();
        if (bytes == 0) {
            return;
        }
        try (PointerScope scope = new PointerScope()) { // frees the CPU/contiguous copy, if one was made
            Tensor dense = planned.tensor().cpu().resolve_neg().contiguous();
            if (dense.nbytes() != bytes) {
                throw new IllegalStateException("tensor \"" + entry.name() + "\" changed size while being written to "
                        + file);
            }
            Pointer data = dense.data_ptr();
            for (long done = 0; done < bytes; done += SLICE_BYTES) {
                long length = Math.min(SLICE_BYTES, bytes - done);
                // A pointer to the slice's first byte, so that the buffer's capacity is the slice length.
                BytePointer slice = new BytePointer(data).getPointer(done);
                writeFully(channel, slice.limit(length).asByteBuffer());
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Makes the rename durable (Linux and macOS; ignored where folders cannot be opened, as on Windows). */
    private static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // best effort: the data itself was synced before the rename
        }
    }

    /** Compares as Rust's {@code str} ordering does: by UTF-8 bytes, i.e. by code point. */
    private static int compareUtf8(String a, String b) {
        return dev.easel.runtime.CodePointOrder.compare(a, b);
    }
}
