package dev.easel.caching;

import dev.easel.engine.cache.CacheKey;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/** The entries of one RAM tier and their byte total against its budget. Guarded by the cache's lock. */
final class RamTier {

    final Tier tier;
    final long budget;
    private final Map<CacheKey, CacheEntry> entries = new HashMap<>();
    private long bytes;

    RamTier(Tier tier, long budget) {
        this.tier = tier;
        this.budget = budget;
    }

    /** True when an entry of this size could be kept here at all. */
    boolean admits(long entryBytes) {
        return entryBytes <= budget;
    }

    void add(CacheEntry entry) {
        entry.tier = tier;
        entries.put(entry.key, entry);
        bytes += entry.bytes;
    }

    void remove(CacheEntry entry) {
        if (entries.remove(entry.key, entry)) {
            bytes -= entry.bytes;
        }
    }

    boolean overBudget() {
        return bytes > budget;
    }

    /** The evictable entry with the highest score, or null when every entry is pinned or leased. */
    CacheEntry nextVictim() {
        CacheEntry victim = null;
        for (CacheEntry entry : entries.values()) {
            if (entry.evictable() && (victim == null || ValueScore.EVICTION_ORDER.compare(entry, victim) < 0)) {
                victim = entry;
            }
        }
        return victim;
    }

    long bytes() {
        return bytes;
    }

    int size() {
        return entries.size();
    }

    Collection<CacheEntry> entries() {
        return Collections.unmodifiableCollection(entries.values());
    }
}
