package dev.easel.node;

/** Thrown by {@link NodeContext#checkCancelled()} when the run was cancelled; nodes let it propagate. */
public final class CancelledException extends RuntimeException {

    public CancelledException(String message) {
        super(message, null, false, false);
    }
}
