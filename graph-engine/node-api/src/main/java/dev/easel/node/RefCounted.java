package dev.easel.node;

/**
 * A value that holds native memory (for example a libtorch tensor). The engine never relies on the garbage collector
 * for such values: it calls {@link #retain()} once for every owner (a run's output slot, the cache, a consumer) and
 * {@link #release()} when that owner is done; the memory is freed when the last reference is released.
 *
 * <p>A node that creates the value inside its execution scope does not retain it itself: the scope's own reference
 * is dropped when the call ends, so an output that nobody retained is freed with the scope.
 */
public interface RefCounted {

    /** Adds one owner. */
    void retain();

    /** Removes one owner; frees the native memory when none is left. */
    void release();

    /** The native memory this value holds, in bytes, or -1 when unknown (caches use it for their byte budgets). */
    default long nativeBytes() {
        return -1;
    }
}
