package dev.easel.caching;

import java.nio.file.Path;

/**
 * The byte budgets of {@link TieredOutputCache}'s tiers. A budget of 0 turns a tier off (nothing is kept there).
 *
 * @param acceleratorBytes intermediates whose tensors live on the accelerator (CUDA); over budget they move to host
 * @param hostBytes        intermediates in host RAM; over budget the persistable ones move to disk
 * @param diskBytes        the disk directory's total size (shared with other processes using the same directory)
 * @param modelBytes       outputs of model loaders, wherever they live; never written to disk
 * @param diskDirectory    where the disk tier keeps its files; {@code null} for no disk tier
 * @param writeThrough     write every persistable intermediate to disk when it is put, not only when it is evicted
 *                         from RAM, so other processes and a crash-restart can use it at once
 */
public record CacheSettings(long acceleratorBytes, long hostBytes, long diskBytes, long modelBytes,
                            Path diskDirectory, boolean writeThrough) {

    public static final long MiB = 1L << 20;
    public static final long GiB = 1L << 30;

    public CacheSettings {
        requireNonNegative("acceleratorBytes", acceleratorBytes);
        requireNonNegative("hostBytes", hostBytes);
        requireNonNegative("diskBytes", diskBytes);
        requireNonNegative("modelBytes", modelBytes);
    }

    /** Settings without write-through. */
    public CacheSettings(long acceleratorBytes, long hostBytes, long diskBytes, long modelBytes, Path diskDirectory) {
        this(acceleratorBytes, hostBytes, diskBytes, modelBytes, diskDirectory, false);
    }

    /** RAM only: 4 GiB accelerator, 8 GiB host, 16 GiB models, no disk. */
    public static CacheSettings defaults() {
        return new CacheSettings(4 * GiB, 8 * GiB, 0, 16 * GiB, null);
    }

    public CacheSettings withDisk(Path directory, long bytes) {
        return new CacheSettings(acceleratorBytes, hostBytes, bytes, modelBytes, directory, writeThrough);
    }

    public CacheSettings withWriteThrough(boolean on) {
        return new CacheSettings(acceleratorBytes, hostBytes, diskBytes, modelBytes, diskDirectory, on);
    }

    /** True when there is a disk tier. */
    public boolean hasDisk() {
        return diskDirectory != null && diskBytes > 0;
    }

    private static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, not " + value);
        }
    }
}
