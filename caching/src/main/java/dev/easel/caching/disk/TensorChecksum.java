package dev.easel.caching.disk;

import dev.easel.runtime.TensorRef;
import dev.easel.runtime.safetensors.TensorInfo;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * CRC-32C of a tensor's bytes (contiguous, CPU, little-endian: as safetensors stores them), the disk tier's
 * integrity check. It catches flipped bits and truncation at memory speed (the CPU has an instruction for it), where
 * SHA-256 (about 1 GB/s here) would make reading an entry several times slower than reading the file. On reads it is
 * computed chunk by chunk right after each chunk arrives, while the bytes are still in the CPU cache.
 */
final class TensorChecksum {

    /** Read and checksum this much at a time: small enough to stay in L2, large enough for few system calls. */
    private static final int READ_CHUNK = 1 << 20;
    /** ByteBuffer views are int-sized; tensors may be larger. */
    private static final long HASH_CHUNK = 1L << 30;

    private TensorChecksum() {
    }

    /** A tensor read from a file, with one reference owned by the caller, and the checksum of what was read. */
    record Loaded(TensorRef tensor, long crc32c) {
    }

    static long crc32c(TensorRef ref) {
        CRC32C crc = new CRC32C();
        try (PointerScope scope = new PointerScope()) {
            Tensor tensor = ref.tensor();
            Tensor dense = tensor.cpu().resolve_neg().contiguous(); // each returns the tensor itself when it can
            long size = dense.nbytes();
            Pointer data = size == 0 ? null : dense.data_ptr();
            for (long offset = 0; offset < size; offset += HASH_CHUNK) {
                long length = Math.min(HASH_CHUNK, size - offset);
                crc.update(new BytePointer(data).<BytePointer>getPointer(offset).limit(length).asByteBuffer());
            }
        }
        return crc.getValue();
    }

    /**
     * Reads tensor {@code info} from {@code channel} straight into a new tensor's memory (one copy, no mapping), and
     * checksums it on the way.
     */
    static Loaded read(TensorInfo info, FileChannel channel) throws IOException {
        CRC32C crc = new CRC32C();
        try (PointerScope scope = new PointerScope()) {
            Tensor tensor = torch.empty(info.shape(), new TensorOptions(info.scalarType()), new MemoryFormatOptional());
            long size = info.byteSize();
            Pointer data = size == 0 ? null : tensor.data_ptr();
            for (long offset = 0; offset < size; offset += READ_CHUNK) {
                int length = (int) Math.min(READ_CHUNK, size - offset);
                ByteBuffer chunk = new BytePointer(data).<BytePointer>getPointer(offset).limit(length).asByteBuffer();
                while (chunk.hasRemaining()) {
                    if (channel.read(chunk, info.dataBegin() + offset + chunk.position()) < 0) {
                        throw new EOFException("the file ends inside tensor " + info.name());
                    }
                }
                crc.update(chunk.flip());
            }
            TensorRef ref = TensorRef.of(tensor);
            ref.retain(); // outlives the scope
            return new Loaded(ref, crc.getValue());
        }
    }
}
