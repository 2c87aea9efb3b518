package dev.easel.caching;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** The cache's counters. Guarded by the cache's lock. */
final class CacheStats {

    private final Map<Tier, Long> hits = new EnumMap<>(Tier.class);
    long misses;
    long puts;
    /** Entries dropped from RAM without going to another tier, or deleted from disk. */
    long evictions;
    /** Entries moved down a tier (accelerator to host, host to disk). */
    long demotions;
    long bytesSaved;
    long nanosSaved;

    void hit(Tier tier, long bytes, long computeNanos) {
        hits.merge(tier, 1L, Long::sum);
        bytesSaved += bytes;
        nanosSaved += computeNanos;
    }

    long hits(Tier tier) {
        return hits.getOrDefault(tier, 0L);
    }

    long totalHits() {
        return hits.values().stream().mapToLong(Long::longValue).sum();
    }

    /** One tier's line of {@link TieredOutputCache#stats()}. */
    Map<String, Object> tier(Tier tier, long entries, long bytes, long budget) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("entries", entries);
        line.put("bytes", bytes);
        line.put("budget_bytes", budget);
        line.put("hits", hits(tier));
        return line;
    }

    /** The totals of {@link TieredOutputCache#stats()}. */
    void totals(Map<String, Object> into) {
        into.put("hits", totalHits());
        into.put("misses", misses);
        into.put("puts", puts);
        into.put("evictions", evictions);
        into.put("demotions", demotions);
        into.put("bytes_saved", bytesSaved);
        into.put("recompute_nanos_saved", nanosSaved);
        into.put("recompute_seconds_saved", nanosSaved / 1e9);
    }
}
