package dev.easel.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.server.store.JobStore.Job;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SqliteJobStore#jobs} and {@link SqliteJobStore#job}: statuses, times and workflow ids derived from stored
 * history entries (also in a file written by schema version 1), filters, both sort keys, paging and totals.
 */
class SqliteJobStoreJobsTest {

    @TempDir
    Path dir;

    private static final Set<JobStatus> ALL = EnumSet.allOf(JobStatus.class);

    private static Job job(String id, long number, long createdAt, String workflowId) {
        String extra = workflowId == null ? "{}"
                : "{\"extra_pnginfo\": {\"workflow\": {\"id\": \"" + workflowId + "\"}}}";
        return new Job(id, number, "{\"1\": {\"class_type\": \"X\", \"inputs\": {}}}", extra, "c", List.of("1"),
                createdAt);
    }

    /** A history entry with ComfyUI's status messages: start at {@code start}, {@code end} event at {@code end}. */
    private static String entry(String statusStr, long start, String end, long endTime) {
        return "{\"prompt\": [], \"outputs\": {\"9\": {\"images\": [{\"filename\": \"a.png\", \"subfolder\": \"\","
                + " \"type\": \"output\"}]}}, \"status\": {\"status_str\": \"" + statusStr + "\", \"completed\": "
                + statusStr.equals("success") + ", \"messages\": [[\"execution_start\", {\"timestamp\": " + start
                + "}], [\"execution_cached\", {\"nodes\": [], \"timestamp\": " + start + "}], [\"" + end
                + "\", {\"exception_message\": \"boom\", \"timestamp\": " + endTime + "}]]}, \"meta\": {}}";
    }

    private static void runAndFinish(JobStore store, Job job, String history) {
        store.enqueue(job);
        assertEquals(job.promptId(), store.claimNext().orElseThrow().promptId());
        store.finish(job.promptId(), history, job.createdAtMillis() + 1000);
    }

    private static List<String> ids(JobPage page) {
        return page.jobs().stream().map(JobSummary::promptId).toList();
    }

    private static JobQuery query(Set<JobStatus> statuses, JobQuery.Order order, boolean descending, int limit,
            int offset) {
        return new JobQuery(statuses, null, order, descending, limit, offset);
    }

    @Test
    void derivesStatusesTimesAndFiltersSortsAndPages() {
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            runAndFinish(store, job("ok", 0, 100, "wf"), entry("success", 1000, "execution_success", 1500));
            runAndFinish(store, job("err", 1, 200, null), entry("error", 2000, "execution_error", 2100));
            runAndFinish(store, job("stop", 2, 300, "wf"), entry("error", 3000, "execution_interrupted", 3900));
            runAndFinish(store, job("junk", 3, 400, null), "not json at all");
            store.enqueue(job("run", 4, 500, null));
            store.claimNext();
            store.enqueue(job("wait", 5, 600, "wf"));

            JobPage all = store.jobs(query(ALL, JobQuery.Order.CREATED_AT, true, -1, 0));
            assertEquals(List.of("wait", "run", "junk", "stop", "err", "ok"), ids(all));
            assertEquals(6, all.total());
            assertEquals(List.of(JobStatus.PENDING, JobStatus.IN_PROGRESS, JobStatus.COMPLETED, JobStatus.CANCELLED,
                    JobStatus.FAILED, JobStatus.COMPLETED), all.jobs().stream().map(JobSummary::status).toList());

            JobSummary ok = all.jobs().get(5);
            assertEquals(1000L, ok.startedAtMillis());
            assertEquals(1500L, ok.endedAtMillis());
            assertEquals("wf", ok.workflowId());
            assertTrue(ok.outputsJson().contains("a.png"));
            assertNull(ok.errorJson());
            assertTrue(all.jobs().get(4).errorJson().contains("boom"));
            JobSummary junk = all.jobs().get(2);
            assertNull(junk.startedAtMillis());
            assertNull(junk.outputsJson());
            assertEquals("wf", all.jobs().get(0).workflowId());

            JobPage finished = store.jobs(query(EnumSet.of(JobStatus.FAILED, JobStatus.CANCELLED),
                    JobQuery.Order.CREATED_AT, false, -1, 0));
            assertEquals(List.of("err", "stop"), ids(finished));
            assertEquals(2, finished.total());
            assertEquals(List.of("stop", "wait"), ids(store.jobs(new JobQuery(ALL, "wf", JobQuery.Order.CREATED_AT,
                    false, -1, 1))));

            // Durations: stop 900, ok 500, err 100, the rest 0 (queue first, then history, as ComfyUI's list).
            assertEquals(List.of("stop", "ok", "err", "run", "wait", "junk"),
                    ids(store.jobs(query(ALL, JobQuery.Order.EXECUTION_DURATION, true, -1, 0))));
            assertEquals(List.of("run", "wait", "junk", "err", "ok", "stop"),
                    ids(store.jobs(query(ALL, JobQuery.Order.EXECUTION_DURATION, false, -1, 0))));

            JobPage page = store.jobs(query(ALL, JobQuery.Order.CREATED_AT, false, 2, 3));
            assertEquals(List.of("junk", "run"), ids(page));
            assertEquals(6, page.total());
            assertEquals(0, store.jobs(query(Set.of(), JobQuery.Order.CREATED_AT, true, -1, 0)).total());

            JobDetail stop = store.job("stop").orElseThrow();
            assertEquals(JobStatus.CANCELLED, stop.summary().status());
            assertEquals(3900L, stop.summary().endedAtMillis());
            assertTrue(stop.historyJson().contains("execution_interrupted"));
            JobDetail wait = store.job("wait").orElseThrow();
            assertEquals(JobStatus.PENDING, wait.summary().status());
            assertNull(wait.historyJson());
            assertEquals("wf", wait.summary().workflowId());
            assertEquals(JobStatus.IN_PROGRESS, store.job("run").orElseThrow().summary().status());
            assertTrue(store.job("nope").isEmpty());

            store.deleteHistory(List.of("ok", "err"));
            assertEquals(List.of("wait", "run", "junk", "stop"),
                    ids(store.jobs(query(ALL, JobQuery.Order.CREATED_AT, true, -1, 0))));
            assertTrue(store.job("ok").isEmpty());
            store.clearHistory();
            assertEquals(List.of("wait", "run"), ids(store.jobs(query(ALL, JobQuery.Order.CREATED_AT, true, -1, 0))));
        }
    }

    @Test
    void aJobFailedByRecoveryIsListedAsFailed() {
        Path file = dir.resolve("jobs.db");
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            store.enqueue(job("r", 0, 10, null));
            store.claimNext();
        }
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            store.recover(JobStore.Recovery.FAIL, 99);
            JobSummary r = store.jobs(query(ALL, JobQuery.Order.CREATED_AT, true, -1, 0)).jobs().get(0);
            assertEquals(JobStatus.FAILED, r.status());
            assertEquals(99L, r.endedAtMillis());
            assertTrue(r.errorJson().contains(SqliteJobStore.STOPPED_MESSAGE), r.errorJson());
        }
    }

    @Test
    void aVersionOneFileIsMigratedWithItsHistory() throws Exception {
        Path file = dir.resolve("old.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            // Schema version 1 as SqliteJobStore created it.
            s.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            s.execute("INSERT INTO schema_version (version) VALUES (1)");
            s.execute("CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            s.execute("INSERT INTO counters (name, value) VALUES ('next', 2), ('front', 0)");
            s.execute("CREATE TABLE jobs (prompt_id TEXT PRIMARY KEY, number INTEGER NOT NULL,"
                    + " state INTEGER NOT NULL, prompt TEXT NOT NULL, extra_data TEXT NOT NULL, client_id TEXT,"
                    + " outputs TEXT NOT NULL, created_at INTEGER NOT NULL)");
            s.execute("CREATE INDEX jobs_by_state_number ON jobs (state, number, prompt_id)");
            s.execute("CREATE TABLE history (seq INTEGER PRIMARY KEY, prompt_id TEXT NOT NULL UNIQUE,"
                    + " number INTEGER NOT NULL, prompt TEXT NOT NULL, extra_data TEXT NOT NULL, client_id TEXT,"
                    + " outputs TEXT NOT NULL, created_at INTEGER NOT NULL, history TEXT NOT NULL,"
                    + " finished_at INTEGER NOT NULL)");
            s.execute("CREATE INDEX history_by_finish ON history (finished_at)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO history (prompt_id, number, prompt,"
                    + " extra_data, client_id, outputs, created_at, history, finished_at) VALUES (?, ?, '{}', ?, 'c',"
                    + " '[]', ?, ?, ?)")) {
                Object[][] rows = {{"a", 0, "{\"extra_pnginfo\": {\"workflow\": {\"id\": \"w\"}}}", 10,
                        entry("success", 100, "execution_success", 400), 500},
                    {"b", 1, "{}", 20, entry("error", 100, "execution_interrupted", 150), 600}};
                for (Object[] row : rows) {
                    ps.setString(1, (String) row[0]);
                    ps.setInt(2, (Integer) row[1]);
                    ps.setString(3, (String) row[2]);
                    ps.setInt(4, (Integer) row[3]);
                    ps.setString(5, (String) row[4]);
                    ps.setInt(6, (Integer) row[5]);
                    ps.executeUpdate();
                }
            }
        }
        try (SqliteJobStore store = SqliteJobStore.open(file)) {
            JobPage page = store.jobs(query(ALL, JobQuery.Order.EXECUTION_DURATION, true, -1, 0));
            assertEquals(List.of("a", "b"), ids(page));
            assertEquals(JobStatus.COMPLETED, page.jobs().get(0).status());
            assertEquals("w", page.jobs().get(0).workflowId());
            assertEquals(JobStatus.CANCELLED, page.jobs().get(1).status());
            assertEquals(2, store.historySize());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM schema_version")) {
            assertTrue(rs.next());
            assertEquals(SqliteJobStore.SCHEMA_VERSION, rs.getInt(1));
        }
    }
}
