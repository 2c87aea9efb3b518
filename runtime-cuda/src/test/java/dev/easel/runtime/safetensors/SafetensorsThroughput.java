package dev.easel.runtime.safetensors;

import dev.easel.runtime.Torch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A throughput micro-check, not a test: writes and reads back about 256 MiB of tensors with this library and the
 * same number of bytes with a plain {@link FileChannel}, and prints MB/s for each. Run from {@code runtime-cuda}:
 * <pre>
 *   mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   java -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *       dev.easel.runtime.safetensors.SafetensorsThroughput [folder] [MiB]
 * </pre>
 * The page cache is not dropped between runs (that needs root), so reads measure memory-speed access to cached
 * pages plus the cost of touching them, and writes measure copying into the page cache, unless the file is larger
 * than free memory. Each round deletes the file it wrote.
 */
public final class SafetensorsThroughput {

    private SafetensorsThroughput() {
    }

    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        Torch.load();
        Path file = folder.resolve("easel-throughput.safetensors");
        Path plain = folder.resolve("easel-throughput.bin");
        try (PointerScope scope = new PointerScope()) {
            // 16 fp16 tensors of mib/16 MiB each, like a slice of a checkpoint.
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            long perTensor = (long) mib * (1 << 20) / 16 / 2;
            for (int i = 0; i < 16; i++) {
                tensors.put(String.format("layer.%02d.weight", i), torch.randn(perTensor / 1024, 1024).to(ScalarType.Half));
            }
            long bytes = 16 * perTensor * 2;
            System.out.printf(Locale.ROOT, "payload %d MiB in %d tensors, folder %s%n", bytes >> 20, tensors.size(), folder);
            for (int round = 1; round <= 3; round++) {
                double write = timed(() -> SafetensorsWriter.write(file, tensors), bytes);
                double view = timed(() -> readWithViews(file), bytes);
                double load = timed(() -> readWithLoad(file), bytes);
                double plainWrite = timed(() -> plainWrite(plain, bytes), bytes);
                double plainRead = timed(() -> plainRead(plain), bytes);
                System.out.printf(Locale.ROOT, "round %d: SafetensorsWriter.write %7.0f MB/s | view()+sum %7.0f MB/s"
                        + " | load() %7.0f MB/s || FileChannel write %7.0f MB/s | FileChannel read %7.0f MB/s%n",
                        round, write, view, load, plainWrite, plainRead);
                Files.deleteIfExists(file);
                Files.deleteIfExists(plain);
            }
        }
    }

    /** Maps the file and touches every byte (a sum), as a model load would before computing. */
    private static void readWithViews(Path file) throws IOException {
        try (SafetensorsFile read = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
            for (String name : read.names()) {
                read.view(name).sum().item();
            }
        }
    }

    /** Private copies of every tensor. */
    private static void readWithLoad(Path file) throws IOException {
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            for (String name : read.names()) {
                try (PointerScope scope = new PointerScope()) {
                    read.load(name);
                }
            }
        }
    }

    private static void plainWrite(Path file, long bytes) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(8 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long done = 0; done < bytes; done += chunk.capacity()) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), bytes - done));
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
            }
        }
    }

    private static void plainRead(Path file) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(8 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(chunk.clear()) >= 0) {
                // discard
            }
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static double timed(IoAction action, long bytes) throws IOException {
        long start = System.nanoTime();
        action.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        return bytes / 1e6 / seconds;
    }
}
