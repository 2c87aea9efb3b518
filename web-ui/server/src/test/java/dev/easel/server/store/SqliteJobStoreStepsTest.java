package dev.easel.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.server.store.JobStore.Job;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's combined steps (what the server does per job in as few commits as possible): number + enqueue,
 * finish + claim next, and the cheap queue count. Each must leave the same state as its separate steps, and a
 * refused step must leave nothing behind.
 */
class SqliteJobStoreStepsTest {

    @TempDir
    Path dir;

    private static Job job(String id) {
        return new Job(id, -99, "{\"2\":{\"class_type\":\"Show\",\"inputs\":{}}}", "{}", "c", List.of("2"), 5);
    }

    @Test
    void enqueueNumberedTakesTheNextNumbersAndFrontGoesFirst() {
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            assertEquals(0, store.enqueueNumbered(job("a"), false).number());
            assertEquals(1, store.enqueueNumbered(job("b"), false).number());
            Job front = store.enqueueNumbered(job("f"), true);
            assertTrue(front.number() < 0, "front number " + front.number());
            assertEquals(2, store.nextNumber(false));
            assertEquals(List.of("f", "a", "b"), store.pending().stream().map(Job::promptId).toList());
            Job stored = store.pending().get(1);
            assertEquals(job("a").promptJson(), stored.promptJson());
            assertEquals(List.of("2"), stored.outputsToExecute());
            assertEquals(3, store.remaining());
        }
    }

    @Test
    void aRefusedDuplicateUsesUpNoNumber() {
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            store.enqueueNumbered(job("a"), false);
            assertThrows(IllegalArgumentException.class, () -> store.enqueueNumbered(job("a"), false));
            assertEquals(1, store.enqueueNumbered(job("b"), false).number());
            assertEquals(2, store.remaining());
        }
    }

    @Test
    void finishAndClaimNextMovesOneToHistoryAndTheNextToRunning() {
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            store.enqueueNumbered(job("a"), false);
            store.enqueueNumbered(job("b"), false);
            store.enqueueNumbered(job("c"), false);
            assertEquals("a", store.claimNext().orElseThrow().promptId());
            assertEquals(3, store.remaining()); // two queued, one running
            Optional<Job> next = store.finishAndClaimNext("a", "{\"status\":{}}", 10);
            assertEquals("b", next.orElseThrow().promptId());
            assertEquals("b", store.running().orElseThrow().promptId());
            assertEquals(List.of("c"), store.pending().stream().map(Job::promptId).toList());
            assertEquals("{\"status\":{}}", store.history("a").orElseThrow().historyJson());
            assertEquals(2, store.remaining());
            assertEquals("c", store.finishAndClaimNext("b", "{}", 11).orElseThrow().promptId());
            assertEquals(Optional.empty(), store.finishAndClaimNext("c", "{}", 12));
            assertEquals(0, store.remaining());
            assertEquals(3, store.historySize());
        }
    }

    @Test
    void aFailedFinishClaimsNothing() {
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            store.enqueueNumbered(job("a"), false);
            assertThrows(IllegalStateException.class, () -> store.finishAndClaimNext("a", "{}", 1)); // queued only
            assertTrue(store.running().isEmpty());
            assertEquals(List.of("a"), store.pending().stream().map(Job::promptId).toList());
            assertEquals(0, store.historySize());
        }
    }

    @Test
    void theDefaultMethodsDoTheSameThroughTheSingleSteps() {
        try (SqliteJobStore sqlite = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            JobStore plain = forwarding(sqlite); // only the interface's defaults for the combined steps
            assertEquals(0, plain.enqueueNumbered(job("a"), false).number());
            plain.enqueueNumbered(job("b"), false);
            plain.claimNext();
            assertEquals("b", plain.finishAndClaimNext("a", "{}", 1).orElseThrow().promptId());
            assertEquals(1, plain.remaining());
        }
    }

    /**
     * A JobStore that forwards every abstract method to {@code inner} and runs the interface's own default methods
     * (a proxy, so that methods added to the interface later need nothing here).
     */
    private static JobStore forwarding(JobStore inner) {
        return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
                (proxy, method, args) -> {
                    try {
                        return method.isDefault() ? InvocationHandler.invokeDefault(proxy, method, args)
                                : method.invoke(inner, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
