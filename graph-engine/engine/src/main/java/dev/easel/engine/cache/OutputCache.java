package dev.easel.engine.cache;

import dev.easel.node.RefCounted;
import java.util.Map;
import java.util.Optional;

/**
 * Where the engine looks for a node's outputs before running it, and stores them after. Implementations must be
 * thread-safe (parallel branches and concurrent runs look up and store at once) and own the values they hold:
 * {@link #put} retains every {@link RefCounted} value it keeps and releases it when the entry goes.
 */
public interface OutputCache extends AutoCloseable {

    /** Caches nothing. */
    OutputCache NONE = new OutputCache() {
        @Override
        public Optional<CachedOutputs> lookup(CacheKey key) {
            return Optional.empty();
        }

        @Override
        public void put(CacheKey key, CachedOutputs outputs, NodeCost cost) {
        }
    };

    /**
     * The stored outputs for {@code key}. The caller receives one reference to every {@link RefCounted} value (a
     * lease) and must give it back with {@link #release(CacheKey, CachedOutputs)}; an entry with a lease out is not
     * evicted.
     */
    Optional<CachedOutputs> lookup(CacheKey key);

    /** Gives back a lease taken by {@link #lookup}. */
    default void release(CacheKey key, CachedOutputs outputs) {
        releaseValues(outputs);
    }

    /** Stores outputs; the cache retains what it keeps. {@code cost} helps it decide what to evict. */
    void put(CacheKey key, CachedOutputs outputs, NodeCost cost);

    /** True when {@code key} is stored. */
    default boolean contains(CacheKey key) {
        return lookup(key).map(found -> {
            release(key, found);
            return true;
        }).orElse(false);
    }

    /** Keeps an entry whatever its eviction score; false when there is no such entry. */
    default boolean pin(CacheKey key) {
        return false;
    }

    /** Undoes {@link #pin}; false when there is no such entry. */
    default boolean unpin(CacheKey key) {
        return false;
    }

    /** Statistics as JSON-ready maps (entries, bytes per tier, hits, misses, evictions, time saved, ...). */
    default Map<String, Object> stats() {
        return Map.of();
    }

    /** Drops every entry that no run holds. */
    default void clear() {
    }

    /**
     * Drops every in-memory entry that no run holds and that {@code test} matches, given the node class that produced
     * it and its outputs; for example the results of a node pack being unloaded, whose values may be instances of the
     * pack's classes. Entries on disk are kept. Implementations that keep nothing in memory may ignore it.
     *
     * @return how many entries were dropped
     */
    default int dropIf(java.util.function.BiPredicate<String, CachedOutputs> test) {
        return 0;
    }

    /** Flushes what should outlive the process (a disk tier) and lets go of every entry. */
    @Override
    default void close() {
    }

    /** Releases one reference to every {@link RefCounted} value of {@code outputs}. */
    static void releaseValues(CachedOutputs outputs) {
        for (var slot : outputs.outputs()) {
            for (Object value : slot) {
                if (value instanceof RefCounted rc) {
                    rc.release();
                }
            }
        }
    }

    /** Takes one reference to every {@link RefCounted} value of {@code outputs}. */
    static void retainValues(CachedOutputs outputs) {
        for (var slot : outputs.outputs()) {
            for (Object value : slot) {
                if (value instanceof RefCounted rc) {
                    rc.retain();
                }
            }
        }
    }

    /**
     * What a node's output cost to make.
     *
     * @param classType    the node class
     * @param computeNanos time spent computing it
     * @param model        true for outputs of model loaders, which have their own budget
     */
    record NodeCost(String classType, long computeNanos, boolean model) {
    }
}
