package dev.easel.caching.bench;

import dev.easel.caching.CacheSettings;
import dev.easel.caching.TieredOutputCache;
import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.cache.CachedOutputs;
import dev.easel.engine.cache.OutputCache;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.Torch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch;

/**
 * Disk tier throughput against plain sequential {@link FileChannel} I/O of the same bytes on the same disk (the
 * caching issue's target: at least 0.8×).
 *
 * <p>Writes go through {@link TieredOutputCache#put} with a host budget of 0, so every entry is sent straight to
 * disk (checksum, encode, write to a temporary file and rename, budget bookkeeping); reads go through
 * {@link TieredOutputCache#lookup} (open, read into new tensors, checksum, rebuild). The plain baseline writes each
 * entry's bytes to its own file and reads them back in 1 MiB reads, into one reused direct buffer or into new
 * memory per file (as the tier must: it keeps what it reads). Neither syncs on write. Reads are
 * measured twice: right after writing (from the page cache: a memory copy) and after dropping the files' pages from
 * the page cache (from the disk), which is what the disk tier is for.
 *
 * <p>Run (arguments optional: directory, total MiB, MiB per entry):
 * <pre>
 * mvn -q -pl caching test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/cp.txt
 * java -cp caching/target/test-classes:caching/target/classes:$(cat caching/target/cp.txt) \
 *     dev.easel.caching.bench.DiskTierThroughput /tmp 256 8
 * </pre>
 */
public final class DiskTierThroughput {

    private static final int ROUNDS = 5;

    private DiskTierThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Path base = args.length > 0 ? Path.of(args[0]) : Path.of(System.getProperty("java.io.tmpdir"));
        long totalMiB = args.length > 1 ? Long.parseLong(args[1]) : 256;
        long entryMiB = args.length > 2 ? Long.parseLong(args[2]) : 8;
        int count = (int) (totalMiB / entryMiB);
        long entryBytes = entryMiB << 20;
        long totalBytes = count * entryBytes;
        Torch.load();

        List<TensorRef> tensors = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try (PointerScope scope = new PointerScope()) {
                TensorRef t = TensorRef.of(torch.randn(entryBytes / 4));
                t.retain();
                tensors.add(t);
            }
        }
        System.out.printf("%d entries of %d MiB = %d MiB in %s%n", count, entryMiB, totalMiB, base);

        boolean canDrop = dropFromPageCache(List.of());
        String[] names = {"write, to page cache", "write, to disk (+ fsync of all files)",
            "read, page cache, into one reused buffer", "read, page cache, into new memory",
            "read, from disk, into one reused buffer", "read, from disk, into new memory"};
        double[][] plain = new double[names.length][ROUNDS];
        double[][] ours = new double[names.length][ROUNDS];
        for (int round = 0; round <= ROUNDS; round++) { // round 0 warms the JIT up and is not counted
            Path dir = Files.createTempDirectory(base, "easel-bench-");
            try {
                Path plainDir = dir.resolve("plain");
                Path tierDir = dir.resolve("tier");
                double[] p = new double[names.length];
                double[] t = new double[names.length];
                long written = plainWrite(plainDir, tensors);
                p[0] = mbps(totalBytes, written);
                p[1] = mbps(totalBytes, written + syncAll(plainDir));
                written = tierWrite(tierDir, tensors);
                t[0] = mbps(totalBytes, written);
                t[1] = mbps(totalBytes, written + syncAll(tierDir));
                p[2] = mbps(totalBytes, plainRead(plainDir, count, entryBytes, false));
                p[3] = mbps(totalBytes, plainRead(plainDir, count, entryBytes, true));
                t[2] = t[3] = mbps(totalBytes, tierRead(tierDir, count));
                if (canDrop) {
                    dropFromPageCache(files(plainDir));
                    p[4] = mbps(totalBytes, plainRead(plainDir, count, entryBytes, false));
                    dropFromPageCache(files(plainDir));
                    p[5] = mbps(totalBytes, plainRead(plainDir, count, entryBytes, true));
                    dropFromPageCache(files(tierDir));
                    t[4] = t[5] = mbps(totalBytes, tierRead(tierDir, count));
                }
                if (round > 0) {
                    for (int i = 0; i < names.length; i++) {
                        plain[i][round - 1] = p[i];
                        ours[i][round - 1] = t[i];
                    }
                }
            } finally {
                deleteTree(dir);
            }
        }
        System.out.printf("median of %d rounds, MB/s (1 MB = 10^6 bytes); disk tier / plain FileChannel%n", ROUNDS);
        for (int i = 0; i < names.length; i++) {
            if (i >= 4 && !canDrop) {
                System.out.println(names[i] + ": skipped (needs GNU dd iflag=nocache to drop a file's pages)");
                continue;
            }
            double a = median(plain[i]);
            double b = median(ours[i]);
            System.out.printf("%-42s plain %7.0f   disk tier %7.0f   ratio %.2f%n", names[i], a, b, b / a);
        }
        tensors.forEach(TensorRef::release);
    }

    private static long tierWrite(Path dir, List<TensorRef> tensors) {
        TieredOutputCache cache = new TieredOutputCache(new CacheSettings(0, 0, Long.MAX_VALUE / 2, 0, dir));
        long start = System.nanoTime();
        for (int i = 0; i < tensors.size(); i++) {
            cache.put(key(i), new CachedOutputs(List.of(List.of(tensors.get(i))), List.of("h" + i), Map.of()),
                    new OutputCache.NodeCost("Bench", 1_000_000_000L, false));
        }
        long nanos = System.nanoTime() - start;
        cache.close();
        return nanos;
    }

    private static long tierRead(Path dir, int count) {
        TieredOutputCache cache = new TieredOutputCache(new CacheSettings(0, 0, Long.MAX_VALUE / 2, 0, dir));
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            CachedOutputs found = cache.lookup(key(i)).orElseThrow(() -> new IllegalStateException("missing entry"));
            cache.release(key(i), found);
        }
        long nanos = System.nanoTime() - start;
        cache.close();
        return nanos;
    }

    private static long plainWrite(Path dir, List<TensorRef> tensors) throws IOException {
        Files.createDirectories(dir);
        long start = System.nanoTime();
        for (int i = 0; i < tensors.size(); i++) {
            TensorRef t = tensors.get(i);
            ByteBuffer bytes = new BytePointer(t.tensor().data_ptr()).capacity(t.byteSize()).asByteBuffer();
            try (FileChannel channel = FileChannel.open(dir.resolve(i + ".bin"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            }
        }
        return System.nanoTime() - start;
    }

    /**
     * Reads every file whole, into one reused buffer (the pure I/O speed) or into new native memory per file (as a
     * cache read must: it keeps what it read), allocated the way libtorch allocates tensors.
     */
    private static long plainRead(Path dir, int count, long entryBytes, boolean newMemory) throws IOException {
        ByteBuffer reused = ByteBuffer.allocateDirect((int) entryBytes);
        List<TensorRef> kept = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            ByteBuffer buffer = reused.clear();
            if (newMemory) {
                try (PointerScope scope = new PointerScope()) {
                    TensorRef memory = TensorRef.of(torch.empty(entryBytes / 4));
                    memory.retain();
                    kept.add(memory);
                    buffer = new BytePointer(memory.tensor().data_ptr()).capacity(entryBytes).asByteBuffer();
                }
            }
            try (FileChannel channel = FileChannel.open(dir.resolve(i + ".bin"), StandardOpenOption.READ)) {
                while (buffer.position() < buffer.capacity()) { // in 1 MiB reads, as the tier reads
                    buffer.limit(Math.min(buffer.capacity(), buffer.position() + (1 << 20)));
                    if (channel.read(buffer) < 0) {
                        throw new IOException("short file " + i);
                    }
                }
            }
            if (kept.size() > 0) {
                kept.remove(0).release(); // like the tier read: the value is handed out and given back
            }
        }
        return System.nanoTime() - start;
    }

    /** Time to fsync every file under {@code dir}. */
    private static long syncAll(Path dir) throws IOException {
        long start = System.nanoTime();
        for (Path file : files(dir)) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        }
        return System.nanoTime() - start;
    }

    /**
     * Drops {@code files} from the page cache (GNU dd's {@code iflag=nocache count=0} calls
     * {@code posix_fadvise(DONTNEED)} on the whole file; the files are synced, so their pages are clean). With no
     * files, tells whether that works here.
     */
    private static boolean dropFromPageCache(List<Path> files) throws IOException, InterruptedException {
        List<Path> targets = files;
        Path probe = null;
        if (files.isEmpty()) {
            probe = Files.createTempFile("easel-bench-probe", ".bin");
            targets = List.of(probe);
        }
        try {
            for (Path file : targets) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.force(true); // only clean pages can be dropped
                }
                Process dd = new ProcessBuilder("dd", "if=" + file, "iflag=nocache", "count=0")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (dd.waitFor() != 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            if (probe != null) {
                Files.deleteIfExists(probe);
            }
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static CacheKey key(int i) {
        byte[] bytes = new byte[32];
        bytes[0] = (byte) (i >> 8);
        bytes[1] = (byte) i;
        bytes[31] = 0x5a;
        return new CacheKey(HexFormat.of().formatHex(bytes));
    }

    private static double mbps(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
