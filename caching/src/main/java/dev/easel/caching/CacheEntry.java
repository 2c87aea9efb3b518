package dev.easel.caching;

import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.cache.CachedOutputs;
import dev.easel.node.RefCounted;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * One stored node result in a RAM tier and its bookkeeping. The cache holds one reference to every
 * {@link RefCounted} value of {@link #outputs} for as long as the entry is in a tier. The mutable fields are guarded
 * by the cache's lock.
 */
final class CacheEntry {

    /** What a value that does not report its native size counts for: small, but not free. */
    static final long NON_NATIVE_BYTES = 64;

    final CacheKey key;
    final CachedOutputs outputs;
    final long bytes;
    final String classType;
    final long computeNanos;
    /** Every value can be written to the disk tier, and reading it back beats recomputing it. */
    final boolean diskWorthy;

    Tier tier;
    long hits;
    /** Lookups not yet released; while above 0 the entry is neither evicted nor moved. */
    int leases;
    boolean pinned;
    /** Logical time of the last put or hit, to break score ties in favour of the recently used. */
    long lastUsed;
    /** A file for this key was written or read by this process (it may since have been deleted). */
    boolean onDisk;

    CacheEntry(CacheKey key, CachedOutputs outputs, String classType, long computeNanos, boolean diskWorthy,
               Tier tier) {
        this.key = key;
        this.outputs = outputs;
        this.bytes = bytesOf(outputs);
        this.classType = classType;
        this.computeNanos = Math.max(0, computeNanos);
        this.diskWorthy = diskWorthy;
        this.tier = tier;
    }

    /** The eviction score of {@link ValueScore}: the higher, the sooner it goes. */
    double score() {
        return ValueScore.of(bytes, computeNanos, hits);
    }

    /** Neither pinned nor leased. */
    boolean evictable() {
        return !pinned && leases == 0;
    }

    /**
     * The native bytes of every distinct value (a value listed twice counts once), or {@link #NON_NATIVE_BYTES} for
     * values that hold none or do not know.
     */
    static long bytesOf(CachedOutputs outputs) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        long total = 0;
        for (var slot : outputs.outputs()) {
            for (Object value : slot) {
                if (value == null || !seen.add(value)) {
                    continue;
                }
                long bytes = value instanceof RefCounted rc ? rc.nativeBytes() : -1;
                total += bytes >= 0 ? Math.max(bytes, NON_NATIVE_BYTES) : NON_NATIVE_BYTES;
            }
        }
        return total;
    }

    @Override
    public String toString() {
        return "CacheEntry[" + key + ", " + classType + ", " + tier + ", " + bytes + " B, hits=" + hits + "]";
    }
}
