package dev.easel.server.store;

import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link SqliteJobStoreTest#survivesAKilledProcess}: queues two jobs, claims one and finishes it,
 * over and over, printing "Q id" after each committed enqueue, "C id" after each claim and "F id" after each finish,
 * until it is killed.
 */
public final class KillTestChild {

    private KillTestChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        SqliteJobStore store = SqliteJobStore.open(Path.of(args[0]));
        for (int i = 0; ; i++) {
            for (String id : List.of("k" + i + "a", "k" + i + "b")) {
                store.enqueue(new JobStore.Job(id, store.nextNumber(false), "{}", "{}", null, List.of("9"), i));
                System.out.println("Q " + id);
            }
            JobStore.Job job = store.claimNext().orElseThrow();
            System.out.println("C " + job.promptId());
            System.out.flush();
            Thread.sleep(1); // "runs" the job, so that the kill often lands while one is running
            store.finish(job.promptId(), "{}", i);
            System.out.println("F " + job.promptId());
            System.out.flush();
        }
    }
}
