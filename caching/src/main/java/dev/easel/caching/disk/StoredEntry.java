package dev.easel.caching.disk;

import dev.easel.engine.cache.CachedOutputs;

/**
 * An entry read back from the disk tier. Every {@link dev.easel.node.RefCounted} value in {@code outputs} holds one
 * reference, owned by whoever read it.
 *
 * @param computeNanos what the node took to compute, as recorded when the entry was written
 * @param hits         the hits the entry had when it was written
 */
public record StoredEntry(CachedOutputs outputs, String classType, long computeNanos, long hits) {
}
