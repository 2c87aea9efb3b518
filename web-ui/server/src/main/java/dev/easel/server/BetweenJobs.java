package dev.easel.server;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Work that must not overlap a running job (loading, unloading or reloading a node pack): queued here, run by the
 * {@link JobRunner} between jobs, one task at a time, with the result handed back through a future.
 */
public final class BetweenJobs {

    private record Task<T>(Supplier<T> work, CompletableFuture<T> result) {
        void run() {
            try {
                result.complete(work.get());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        }
    }

    private final Queue<Task<?>> pending = new ConcurrentLinkedQueue<>();

    /** Queues {@code work}; the future completes once the runner ran it (after the running job, if any). */
    public <T> CompletableFuture<T> submit(Supplier<T> work) {
        Task<T> task = new Task<>(work, new CompletableFuture<>());
        pending.add(task);
        return task.result();
    }

    /** Runs what is queued; called by the runner while no job runs. */
    public void runPending() {
        Task<?> task;
        while ((task = pending.poll()) != null) {
            task.run();
        }
    }
}
