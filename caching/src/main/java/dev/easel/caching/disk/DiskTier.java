package dev.easel.caching.disk;

import dev.easel.caching.PersistableFactories;
import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.cache.CachedOutputs;
import dev.easel.runtime.safetensors.SafetensorsFile;
import dev.easel.runtime.safetensors.SafetensorsFormatException;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The disk tier: one safetensors file per entry ({@link DiskEntryFormat}) at {@code <dir>/<first 2 hex of key>/<key
 * hex>.safetensors}, content-addressed, so several Easel processes can share the directory. Files are written to a
 * temporary name and renamed into place (readers see a whole file or none); a file that fails its checks is deleted
 * and reported as a miss. The byte budget is kept by scanning the directory and deleting the entries with the highest
 * value score (the one RAM uses, growing with idle time; a hit touches the file's mtime).
 *
 * <p>Thread-safe; does its I/O on the calling thread and takes no lock of the cache's.
 */
public final class DiskTier {

    private static final System.Logger LOG = System.getLogger("easel.cache");
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{8,128}");
    private static final String SUFFIX = ".safetensors";
    /** What an entry written by another process (whose header this process has not read) is assumed to cost. */
    private static final long UNKNOWN_COMPUTE_NANOS = 1_000_000_000L;
    /** A file's score doubles for every this much time nobody used it. */
    private static final long IDLE_DOUBLING_MILLIS = 3_600_000L;
    /** Rescan at least this often, to see what other processes wrote and deleted. */
    private static final long RESCAN_MILLIS = 60_000L;
    /** Temporary files older than this were left by a crashed writer. */
    private static final long STALE_TEMP_MILLIS = 3_600_000L;

    private final Path directory;
    private final long budget;
    private final PersistableFactories factories;

    /** What this process knows of the entries it wrote or read, for their value scores. */
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    private final Object scanLock = new Object();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong files = new AtomicLong();
    private volatile long lastScanMillis;

    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong corrupt = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    private record Known(long computeNanos, long hits) {
    }

    public DiskTier(Path directory, long budget, PersistableFactories factories) {
        this.directory = directory.toAbsolutePath();
        this.budget = budget;
        this.factories = factories;
        try {
            Files.createDirectories(this.directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cache directory " + this.directory, e);
        }
        enforceBudget(); // also learns the current size and clears crashed writers' temporary files
    }

    /** True when {@code key} can name a file (a hex digest), so the entry can live on disk. */
    public boolean canStore(CacheKey key) {
        return KEY.matcher(key.hex()).matches();
    }

    /** The file of {@code key}. */
    public Path pathOf(CacheKey key) {
        String hex = key.hex();
        return directory.resolve(hex.substring(0, 2)).resolve(hex + SUFFIX);
    }

    public boolean contains(CacheKey key) {
        return canStore(key) && exists(pathOf(key));
    }

    /**
     * Writes an entry (atomically; an existing file for the key is replaced), then deletes others if the directory
     * went over budget. {@code outputs} must pass {@link DiskEntryFormat#canStore} and stay alive meanwhile.
     *
     * @return false when it could not be written (logged); the cache goes on without it
     */
    public boolean write(CacheKey key, CachedOutputs outputs, String classType, long computeNanos, long hitCount) {
        if (!canStore(key)) {
            return false;
        }
        Path file = pathOf(key);
        try {
            var encoded = DiskEntryFormat.encode(key, outputs, classType, computeNanos, hitCount);
            long size = encoded.tensors().values().stream().mapToLong(t -> t.nbytes()).sum();
            if (size > budget) {
                return false;
            }
            Files.createDirectories(file.getParent());
            long replacedSize = exists(file) ? file.toFile().length() : -1;
            writeAtomically(file, encoded);
            known.put(key.hex(), new Known(computeNanos, hitCount));
            writes.incrementAndGet();
            if (replacedSize < 0) {
                files.incrementAndGet();
            }
            long total = bytes.addAndGet(Files.size(file) - Math.max(0, replacedSize));
            if (total > budget || System.currentTimeMillis() - lastScanMillis > RESCAN_MILLIS) {
                enforceBudget();
            }
            return true;
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "could not write cache entry " + key + " to " + file, e);
            return false;
        }
    }

    /**
     * Writes to a temporary file and renames it into place, so readers (in any process) see a whole file or none.
     * Unlike {@link SafetensorsWriter#writeAtomically} it does not fsync: after a crash a file may be incomplete,
     * which the read-time checks catch (it is deleted and recomputed), and a cache does not need durability, so
     * puts do not wait for the disk.
     */
    private static void writeAtomically(Path file, DiskEntryFormat.Encoded encoded) throws IOException {
        Path temporary = file.resolveSibling("." + file.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean moved = false;
        try {
            SafetensorsWriter.write(temporary, SafetensorsWriter.referenceOrder(encoded.tensors()),
                    encoded.metadata());
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temporary);
            }
        }
    }

    /**
     * Reads the entry for {@code key}: private copies of its tensors, checked against their checksums, values rebuilt,
     * and the file's mtime touched (its last use, for the budget). A corrupt or truncated file is deleted and, like a
     * missing one, gives empty.
     */
    public Optional<StoredEntry> read(CacheKey key) {
        if (!canStore(key)) {
            return Optional.empty();
        }
        Path file = pathOf(key);
        if (!exists(file)) {
            return Optional.empty();
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Object identity = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
                try (FileChannel data = FileChannel.open(file, StandardOpenOption.READ);
                     SafetensorsFile opened = SafetensorsFile.open(file)) {
                    if (!sameFile(identity, file, data, opened)) {
                        continue; // replaced between the opens (another process wrote the same key): read again
                    }
                    StoredEntry entry = DiskEntryFormat.decode(opened, data, key, factories);
                    touch(file);
                    hits.incrementAndGet();
                    known.put(key.hex(), new Known(entry.computeNanos(), entry.hits() + 1));
                    return Optional.of(entry);
                }
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (CorruptEntryException | SafetensorsFormatException | EOFException e) {
                discardCorrupt(key, file, e);
                return Optional.empty();
            } catch (IOException e) {
                // Not proof of corruption (too many open files, a file replaced meanwhile...): try once more, then
                // treat it as a miss and leave the file alone.
                if (attempt == 1) {
                    failures.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "could not read cache entry " + file + ": " + e);
                }
            }
        }
        return Optional.empty();
    }

    /** A miss is the common case: java.io's check costs one stat, NIO's throws (and fills in) an exception. */
    private static boolean exists(Path file) {
        return file.toFile().isFile();
    }

    /**
     * True when the channel (the data) and the parsed header come from one file: the path named the same file
     * before the first open and after the second, and the sizes agree.
     */
    private static boolean sameFile(Object identity, Path file, FileChannel data, SafetensorsFile opened)
            throws IOException {
        Object now = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        return java.util.Objects.equals(identity, now) && data.size() == opened.fileSize();
    }

    private void discardCorrupt(CacheKey key, Path file, Exception why) {
        corrupt.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "deleting corrupt cache entry " + file + ": " + why.getMessage());
        known.remove(key.hex());
        delete(file);
    }

    /** Deletes every entry file (other processes' too). */
    public void clear() {
        for (Path file : entryFiles()) {
            delete(file);
        }
        known.clear();
    }

    private void touch(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // read-only share or deleted meanwhile: the entry just looks older than it is
        }
    }

    /** True when this call deleted the file. */
    private boolean delete(Path file) {
        try {
            long size = Files.size(file);
            if (Files.deleteIfExists(file)) {
                bytes.addAndGet(-size);
                files.decrementAndGet();
                return true;
            }
        } catch (NoSuchFileException e) {
            // another process deleted it first
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete cache entry " + file + ": " + e);
        }
        return false;
    }

    /** A file seen by a scan. */
    private record Scanned(Path file, String hex, long size, long lastUsedMillis, double score) {
    }

    /**
     * Scans the directory, learns its real size, and deletes the highest-scoring entries until it is within budget.
     * One scan at a time; concurrent deletes by other processes are harmless.
     */
    public void enforceBudget() {
        synchronized (scanLock) {
            long now = System.currentTimeMillis();
            List<Scanned> scanned = new ArrayList<>();
            long total = 0;
            for (Path file : entryFiles()) {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                    String name = file.getFileName().toString();
                    String hex = name.substring(0, name.length() - SUFFIX.length());
                    long lastUsed = attributes.lastModifiedTime().toMillis();
                    scanned.add(new Scanned(file, hex, attributes.size(), lastUsed,
                            score(hex, attributes.size(), now - lastUsed)));
                    total += attributes.size();
                } catch (IOException e) {
                    // deleted by another process meanwhile
                }
            }
            bytes.set(total);
            files.set(scanned.size());
            lastScanMillis = now;
            if (total <= budget) {
                return;
            }
            scanned.sort(Comparator.comparingDouble(Scanned::score).reversed()
                    .thenComparingLong(Scanned::lastUsedMillis));
            for (Scanned victim : scanned) {
                if (bytes.get() <= budget) {
                    break;
                }
                if (delete(victim.file())) {
                    deleted.incrementAndGet();
                }
                known.remove(victim.hex());
            }
        }
    }

    private double score(String hex, long size, long idleMillis) {
        Known k = known.get(hex);
        long nanos = k == null ? UNKNOWN_COMPUTE_NANOS : Math.max(k.computeNanos(), 1_000);
        long hitCount = k == null ? 0 : k.hits();
        double base = size / (nanos / 1e9 * (1.0 + hitCount));
        return base * (1.0 + Math.max(0, idleMillis) / (double) IDLE_DOUBLING_MILLIS);
    }

    /** Every entry file; crashed writers' old temporary files are deleted on the way. */
    private List<Path> entryFiles() {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(directory, Files::isDirectory)) {
            for (Path shard : shards) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(shard)) {
                    for (Path file : entries) {
                        String name = file.getFileName().toString();
                        if (name.endsWith(SUFFIX) && !name.startsWith(".")) {
                            found.add(file);
                        } else if (name.startsWith(".") && name.endsWith(".tmp")) {
                            deleteIfStale(file);
                        }
                    }
                } catch (IOException e) {
                    // shard removed meanwhile
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot scan the cache directory " + directory + ": " + e);
        }
        return found;
    }

    private static void deleteIfStale(Path temporary) {
        try {
            if (System.currentTimeMillis() - Files.getLastModifiedTime(temporary).toMillis() > STALE_TEMP_MILLIS) {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            // renamed or deleted by its writer meanwhile
        }
    }

    public Path directory() {
        return directory;
    }

    public long budget() {
        return budget;
    }

    /** The tier's line of the cache statistics. */
    public Map<String, Object> stats() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("entries", files.get());
        line.put("bytes", bytes.get());
        line.put("budget_bytes", budget);
        line.put("hits", hits.get());
        line.put("writes", writes.get());
        line.put("evictions", deleted.get());
        line.put("corrupt_entries", corrupt.get());
        line.put("failures", failures.get());
        line.put("directory", directory.toString());
        return line;
    }

    public long hits() {
        return hits.get();
    }

    public long evictions() {
        return deleted.get();
    }

    public long corruptEntries() {
        return corrupt.get();
    }
}
