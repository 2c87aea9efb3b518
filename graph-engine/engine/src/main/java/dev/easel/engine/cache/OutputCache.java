package dev.easel.engine.cache;

import dev.easel.node.RefCounted;
import java.util.Optional;

/**
 * Where the engine looks for a node's outputs before running it, and stores them after. Implementations must be
 * thread-safe (parallel branches look up and store concurrently) and own the values they hold: {@link #put}
 * retains every {@link RefCounted} value it keeps and releases it on eviction.
 */
public interface OutputCache {

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

    /** True when {@code key} is stored; does not touch the values. */
    default boolean contains(CacheKey key) {
        return lookup(key).map(found -> {
            release(found);
            return true;
        }).orElse(false);
    }

    /**
     * The stored outputs for {@code key}. The caller receives one reference to every {@link RefCounted} value in
     * them and must {@link #release(CachedOutputs) release} it when done.
     */
    Optional<CachedOutputs> lookup(CacheKey key);

    /** Stores outputs; the cache retains what it keeps. {@code cost} helps it decide what to evict. */
    void put(CacheKey key, CachedOutputs outputs, NodeCost cost);

    /** Called at the start of a run with the keys it may use, so a cache can protect or prune entries. */
    default void beginRun(java.util.Set<CacheKey> keys) {
    }

    /** Called at the end of a run. */
    default void endRun() {
    }

    /** Drops everything. */
    default void clear() {
    }

    /** Releases one reference to every {@link RefCounted} value of {@code outputs}. */
    static void release(CachedOutputs outputs) {
        for (var slot : outputs.outputs()) {
            for (Object value : slot) {
                if (value instanceof RefCounted rc) {
                    rc.release();
                }
            }
        }
    }

    /**
     * What a node's output cost to make.
     *
     * @param classType   the node class
     * @param computeNanos time spent computing it
     */
    record NodeCost(String classType, long computeNanos) {
    }
}
