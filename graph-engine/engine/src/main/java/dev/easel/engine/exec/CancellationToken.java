package dev.easel.engine.exec;

/** Cooperative cancellation of one run: {@link #cancel()} makes the next step boundary of every node stop. */
public final class CancellationToken {

    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}
