package dev.easel.caching;

import java.util.Comparator;

/**
 * The eviction order: {@code bytes / (recompute seconds × (1 + hits))}, highest first. Large, cheap-to-recompute,
 * rarely reused entries go first; small, expensive, popular ones stay. Unlike ComfyUI's RAM-pressure cache
 * ({@code 1.3^age × bytes}) it weighs what a miss would cost.
 */
final class ValueScore {

    /** Recompute times below this count as this, so a node that took "no time" does not divide by zero. */
    static final long MIN_RECOMPUTE_NANOS = 1_000;

    /** Highest score first; among equal scores the least recently used first. */
    static final Comparator<CacheEntry> EVICTION_ORDER = Comparator.comparingDouble(CacheEntry::score).reversed()
            .thenComparingLong(e -> e.lastUsed);

    /** Rough cost of bringing an entry back from disk: a fixed part (open, header, rebuild) ... */
    static final long DISK_RELOAD_FIXED_NANOS = 1_000_000;
    /** ... plus this per byte (1 ns per byte: 1 GB/s). */
    static final double DISK_RELOAD_NANOS_PER_BYTE = 1.0;

    private ValueScore() {
    }

    /** True when recomputing would take longer than reading the entry back from disk, so storing it pays off. */
    static boolean worthStoring(long bytes, long computeNanos) {
        return computeNanos > DISK_RELOAD_FIXED_NANOS + bytes * DISK_RELOAD_NANOS_PER_BYTE;
    }

    static double of(long bytes, long computeNanos, long hits) {
        double seconds = Math.max(computeNanos, MIN_RECOMPUTE_NANOS) / 1e9;
        return bytes / (seconds * (1.0 + Math.max(0, hits)));
    }
}
