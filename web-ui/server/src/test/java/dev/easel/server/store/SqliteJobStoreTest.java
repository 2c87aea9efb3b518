package dev.easel.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.server.store.JobStore.Finished;
import dev.easel.server.store.JobStore.Job;
import dev.easel.server.store.JobStore.Recovery;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteJobStoreTest {

    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("data/sub/jobs.sqlite");
    }

    private static Job job(String id, long number) {
        return new Job(id, number, "{\"9\":{\"class_type\":\"SaveImage\",\"inputs\":{}}}",
                "{\"client_id\":\"c1\",\"api_key_comfy_org\":\"secret\"}", "c1", List.of("9"), 1000 + number);
    }

    private static List<String> ids(List<Job> jobs) {
        return jobs.stream().map(Job::promptId).toList();
    }

    private static List<String> historyIds(List<Finished> finished) {
        return finished.stream().map(f -> f.job().promptId()).toList();
    }

    @Test
    void ordersByNumberAndFrontJumpsAhead() {
        try (SqliteJobStore store = SqliteJobStore.open(db())) {
            assertEquals(0, store.nextNumber(false));
            assertEquals(1, store.nextNumber(false));
            store.enqueue(job("b", 1));
            store.enqueue(job("a", 0));
            store.enqueue(job("c", 5));
            long front1 = store.nextNumber(true);
            assertTrue(front1 < 0, "front number below every queued one: " + front1);
            store.enqueue(job("f1", front1));
            long front2 = store.nextNumber(true);
            assertTrue(front2 < front1, "a later front job runs before an earlier one");
            store.enqueue(job("f2", front2));
            store.enqueue(job("tie-z", 5));
            assertEquals(List.of("f2", "f1", "a", "b", "c", "tie-z"), ids(store.pending()));
            assertEquals(2, store.nextNumber(false), "front numbers do not use up ordinary ones");

            List<String> claimed = new ArrayList<>();
            for (Optional<Job> j = store.claimNext(); j.isPresent(); j = store.claimNext()) {
                assertEquals(j.get(), store.running().orElseThrow());
                claimed.add(j.get().promptId());
                store.finish(j.get().promptId(), "{}", claimed.size());
            }
            assertEquals(List.of("f2", "f1", "a", "b", "c", "tie-z"), claimed);
            assertTrue(store.running().isEmpty());
        }
    }

    @Test
    void frontNumberStaysBelowExplicitlyLowNumbers() {
        try (SqliteJobStore store = SqliteJobStore.open(db())) {
            store.enqueue(job("low", -50));
            assertEquals(-51, store.nextNumber(true));
        }
    }

    @Test
    void claimFinishAndPageHistory() {
        try (SqliteJobStore store = SqliteJobStore.open(db())) {
            for (int i = 0; i < 5; i++) {
                store.enqueue(job("j" + i, store.nextNumber(false)));
            }
            Job first = store.claimNext().orElseThrow();
            assertEquals("j0", first.promptId());
            assertEquals(job("j0", 0), first);
            assertEquals(List.of("j1", "j2", "j3", "j4"), ids(store.pending()));
            store.finish("j0", "{\"h\":0}", 100);
            for (int i = 1; i < 5; i++) {
                Job j = store.claimNext().orElseThrow();
                // finish times out of claim order: history is oldest-finished first
                store.finish(j.promptId(), "{\"h\":" + i + "}", 100 + (i % 2 == 0 ? i : 10 * i));
            }
            assertTrue(store.claimNext().isEmpty());
            assertEquals(5, store.historySize());
            List<String> all = historyIds(store.history(0, -1));
            assertEquals(List.of("j0", "j2", "j4", "j1", "j3"), all);
            assertEquals(List.of("j2", "j4"), historyIds(store.history(1, 2)));
            assertEquals(List.of("j1", "j3"), historyIds(store.history(3, 100)));
            assertEquals(List.of(), store.history(5, -1));
            assertEquals(List.of(), store.history(0, 0));

            Finished j3 = store.history("j3").orElseThrow();
            assertEquals(job("j3", 3), j3.job());
            assertEquals("{\"h\":3}", j3.historyJson());
            assertEquals(130, j3.finishedAtMillis());
            assertTrue(store.history("nope").isEmpty());
        }
    }

    @Test
    void deletesAndClearsQueueAndHistory() {
        try (SqliteJobStore store = SqliteJobStore.open(db())) {
            for (String id : List.of("r", "q1", "q2", "q3")) {
                store.enqueue(job(id, store.nextNumber(false)));
            }
            store.claimNext();
            assertFalse(store.deletePending("r"), "the running job is not deleted");
            assertFalse(store.deletePending("unknown"));
            assertTrue(store.deletePending("q2"));
            assertEquals(List.of("q1", "q3"), ids(store.pending()));
            assertEquals(2, store.clearPending());
            assertEquals(List.of(), store.pending());
            assertEquals("r", store.running().orElseThrow().promptId());

            store.finish("r", "{}", 1);
            for (String id : List.of("h1", "h2", "h3")) {
                store.enqueue(job(id, store.nextNumber(false)));
                store.claimNext();
                store.finish(id, "{}", 2);
            }
            store.deleteHistory(List.of("h2", "unknown", "r"));
            assertEquals(List.of("h1", "h3"), historyIds(store.history(0, -1)));
            store.clearHistory();
            assertEquals(0, store.historySize());
            // a deleted id may be used again
            store.enqueue(job("h1", store.nextNumber(false)));
            assertEquals(List.of("h1"), ids(store.pending()));
        }
    }

    @Test
    void rejectsBadInputNamingTheJob() {
        try (SqliteJobStore store = SqliteJobStore.open(db())) {
            store.enqueue(job("q", 0));
            store.enqueue(job("r", 1));
            store.enqueue(job("h", 2));
            store.claimNext();
            store.finish("q", "{}", 1);
            store.claimNext();

            assertThrows(IllegalArgumentException.class, () -> store.enqueue(job(null, 3)));
            assertThrows(IllegalArgumentException.class, () -> store.enqueue(null));
            assertThrows(IllegalArgumentException.class,
                    () -> store.enqueue(new Job("x", 3, null, "{}", null, List.of(), 0)));
            assertThrows(IllegalArgumentException.class, () -> store.finish(null, "{}", 1));
            assertThrows(IllegalArgumentException.class, () -> store.finish("r", null, 1));
            for (String id : List.of("q", "r", "h")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.enqueue(job(id, 9)));
                assertTrue(e.getMessage().contains("job " + id + " "), e.getMessage());
            }
            IllegalStateException queued = assertThrows(IllegalStateException.class, () -> store.finish("h", "{}", 1));
            assertEquals("job h is not running (queued)", queued.getMessage());
            IllegalStateException finished = assertThrows(IllegalStateException.class, () -> store.finish("q", "{}", 1));
            assertEquals("job q is not running (in history)", finished.getMessage());
            IllegalStateException unknown = assertThrows(IllegalStateException.class, () -> store.finish("zz", "{}", 1));
            assertEquals("job zz is not running (unknown)", unknown.getMessage());

            // failed calls changed nothing
            assertEquals(List.of("h"), ids(store.pending()));
            assertEquals("r", store.running().orElseThrow().promptId());
            assertEquals(List.of("q"), historyIds(store.history(0, -1)));
        }
    }

    @Test
    void everythingSurvivesReopening() {
        Job queued = new Job("queued", 7, "{\"1\":{}}", "{}", null, List.of(), 42);
        try (SqliteJobStore store = SqliteJobStore.open(db())) {
            for (int i = 0; i < 3; i++) {
                store.nextNumber(false);
            }
            store.enqueue(job("done", 0));
            store.enqueue(job("running", 1));
            store.enqueue(queued);
            store.claimNext();
            store.finish("done", "{\"status\":{}}", 77);
            store.claimNext();
        }
        try (SqliteJobStore store = SqliteJobStore.open(db())) {
            assertEquals(List.of(queued), store.pending());
            assertEquals(job("running", 1), store.running().orElseThrow());
            assertEquals(List.of(new Finished(job("done", 0), "{\"status\":{}}", 77)), store.history(0, -1));
            assertEquals(3, store.nextNumber(false), "the counter continues where it was");
        }
    }

    @Test
    void recoverRequeuesAtTheFront() {
        try (SqliteJobStore store = SqliteJobStore.open(db())) {
            for (String id : List.of("crashed", "next", "later")) {
                store.enqueue(job(id, store.nextNumber(false)));
            }
            store.claimNext();
        } // "crash": closed without finish
        try (SqliteJobStore store = SqliteJobStore.open(db())) {
            List<Job> recovered = store.recover(Recovery.REQUEUE, 5000);
            assertEquals(List.of("crashed"), ids(recovered));
            assertTrue(recovered.get(0).number() < 1, "below every queued number");
            assertTrue(store.running().isEmpty());
            assertEquals(List.of("crashed", "next", "later"), ids(store.pending()));
            assertEquals(recovered.get(0), store.pending().get(0));
            assertEquals(List.of(), store.recover(Recovery.REQUEUE, 5001));
            assertEquals("crashed", store.claimNext().orElseThrow().promptId());
        }
    }

    @Test
    void recoverFailsIntoHistory() throws Exception {
        try (SqliteJobStore store = SqliteJobStore.open(db())) {
            store.enqueue(job("crashed", store.nextNumber(false)));
            store.enqueue(job("next", store.nextNumber(false)));
            store.claimNext();
        }
        try (SqliteJobStore store = SqliteJobStore.open(db())) {
            assertEquals(List.of(job("crashed", 0)), store.recover(Recovery.FAIL, 5000));
            assertTrue(store.running().isEmpty());
            assertEquals(List.of("next"), ids(store.pending()));
            Finished failed = store.history("crashed").orElseThrow();
            assertEquals(5000, failed.finishedAtMillis());
            assertEquals(job("crashed", 0), failed.job());

            JsonNode entry = new ObjectMapper().readTree(failed.historyJson());
            JsonNode prompt = entry.get("prompt");
            assertEquals(0, prompt.get(0).asLong());
            assertEquals("crashed", prompt.get(1).asText());
            assertEquals("SaveImage", prompt.get(2).get("9").get("class_type").asText());
            assertEquals("c1", prompt.get(3).get("client_id").asText());
            assertFalse(prompt.get(3).has("api_key_comfy_org"), "credentials are kept out of history");
            assertEquals("9", prompt.get(4).get(0).asText());
            assertTrue(entry.get("outputs").isObject() && entry.get("outputs").isEmpty());
            JsonNode status = entry.get("status");
            assertEquals("error", status.get("status_str").asText());
            assertFalse(status.get("completed").asBoolean());
            JsonNode message = status.get("messages").get(0);
            assertEquals("execution_error", message.get(0).asText());
            assertEquals("crashed", message.get(1).get("prompt_id").asText());
            assertEquals("the server stopped while this job ran", message.get(1).get("exception_message").asText());
            assertEquals(5000, message.get(1).get("timestamp").asLong());
            assertTrue(entry.get("meta").isObject());
        }
    }

    @Test
    void twoStoresOnOneFileNeverClaimTheSameJob() throws Exception {
        int jobs = 200;
        try (SqliteJobStore a = SqliteJobStore.open(db()); SqliteJobStore b = SqliteJobStore.open(db())) {
            for (int i = 0; i < jobs; i++) {
                (i % 2 == 0 ? a : b).enqueue(job("j" + i, (i % 2 == 0 ? a : b).nextNumber(false)));
            }
            List<String> claimed = Collections.synchronizedList(new ArrayList<>());
            List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (SqliteJobStore store : List.of(a, b)) {
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        for (Optional<Job> j = store.claimNext(); j.isPresent(); j = store.claimNext()) {
                            claimed.add(j.get().promptId());
                            store.finish(j.get().promptId(), "{}", System.currentTimeMillis());
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                t.start();
                threads.add(t);
            }
            start.countDown();
            for (Thread t : threads) {
                t.join(TimeUnit.MINUTES.toMillis(2));
            }
            assertEquals(List.of(), errors);
            assertEquals(jobs, claimed.size());
            assertEquals(jobs, new HashSet<>(claimed).size(), "no job claimed twice");
            assertEquals(jobs, a.historySize());
            assertTrue(b.pending().isEmpty());
        }
    }

    @Test
    void survivesAKilledProcess() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                KillTestChild.class.getName(), db().toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        Set<String> queued = new HashSet<>();
        Set<String> claimed = new HashSet<>();
        Set<String> finished = new HashSet<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                (line.startsWith("Q ") ? queued : line.startsWith("C ") ? claimed : finished).add(line.substring(2));
                if (queued.size() == 1000) {
                    // SIGKILL through the handle: Process.destroyForcibly would also close our end of the pipe,
                    // and the lines still in it are commits to check
                    child.toHandle().destroyForcibly();
                }
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(1, TimeUnit.MINUTES));
        }
        assertTrue(queued.size() >= 1000, "the child ran: " + queued.size());

        try (SqliteJobStore store = SqliteJobStore.open(db())) {
            Map<String, Integer> seen = new HashMap<>();
            store.pending().forEach(j -> seen.merge(j.promptId(), 1, Integer::sum));
            Optional<Job> running = store.running();
            running.ifPresent(j -> seen.merge(j.promptId(), 1, Integer::sum));
            store.history(0, -1).forEach(f -> seen.merge(f.job().promptId(), 1, Integer::sum));
            seen.forEach((id, n) -> assertEquals(1, n, "job " + id + " is in one place"));
            assertTrue(seen.keySet().containsAll(queued), "every committed enqueue is there");
            Set<String> inHistory = new HashSet<>(historyIds(store.history(0, -1)));
            assertTrue(inHistory.containsAll(finished), "every committed finish is there");
            for (String id : claimed) {
                assertTrue(inHistory.contains(id) || running.get().promptId().equals(id), "claimed job " + id);
            }

            List<Job> recovered = store.recover(Recovery.REQUEUE, 0);
            assertEquals(running.map(Job::promptId).stream().toList(), ids(recovered));
            assertTrue(store.running().isEmpty());
            assertEquals(seen.size(), store.pending().size() + store.historySize(), "none lost");
            System.out.printf("kill test: child committed %d enqueues and %d finishes before the kill; "
                    + "store has %d queued, %d finished, %d recovered%n", queued.size(), finished.size(),
                    store.pending().size(), store.historySize(), recovered.size());
        }
    }

    @Test
    void refusesAFileFromANewerSchema() throws Exception {
        SqliteJobStore.open(db()).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            s.execute("UPDATE schema_version SET version = 99");
        }
        SqliteJobStore.StoreException e = assertThrows(SqliteJobStore.StoreException.class, () -> SqliteJobStore.open(db()));
        assertTrue(e.getMessage().contains("99"), e.getMessage());
    }

    @Test
    void closedStoreRefusesCalls() {
        SqliteJobStore store = SqliteJobStore.open(db());
        store.close();
        store.close();
        assertThrows(IllegalStateException.class, store::pending);
        assertThrows(IllegalStateException.class, () -> store.nextNumber(false));
    }

    /**
     * Prints what one trivial job costs: nextNumber + enqueue + claimNext + finish, in wall time and in this thread's
     * CPU time (steadier on a busy machine). No assertion on time.
     */
    @Test
    void printsThePerJobCost() {
        try (SqliteJobStore store = SqliteJobStore.open(db())) {
            runJobs(store, "warm", 2000);
            int n = 5000;
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            runJobs(store, "timed", n);
            double micros = (System.nanoTime() - t0) / 1e3 / n;
            double cpuMicros = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / n;
            System.out.printf("SqliteJobStore: nextNumber+enqueue+claimNext+finish = %.1f us per job wall (%.0f jobs/s),"
                    + " %.1f us CPU%n", micros, 1e6 / micros, cpuMicros);
            assertEquals(n + 2000, store.historySize());
        }
    }

    private static void runJobs(JobStore store, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            String id = prefix + i;
            store.enqueue(job(id, store.nextNumber(false)));
            Job j = store.claimNext().orElseThrow();
            store.finish(j.promptId(), "{\"outputs\":{},\"status\":{\"status_str\":\"success\"}}", i);
        }
    }
}
