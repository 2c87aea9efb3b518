package dev.easel.server.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.node.Preview;
import dev.easel.server.store.JobStore;
import dev.easel.server.store.SqliteJobStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bounds of the event logs: coalesced progress, the per-job cap, the number of kept jobs, history fallback. */
class EventLogBoundsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static LoggedEvent progress(JobEventLog log, String node, int step, Preview preview) {
        return log.append("progress", "{\"value\":" + step + ",\"node\":\"" + node + "\"}", node, preview);
    }

    @Test
    void aLongJobKeepsItsOtherEventsAndOnlyTheLatestStepOfARunOfProgress() {
        JobEventLog log = new JobEventLog("p", "c", false);
        log.markRunning();
        log.append("execution_start", "{}", null, null);
        log.append("executing", "{\"node\":\"1\"}", "1", null);
        for (int i = 0; i < JobEventLog.COALESCE_ABOVE - 2; i++) {
            progress(log, "1", i, null);
        }
        assertEquals(JobEventLog.COALESCE_ABOVE, log.size(), "up to the cap every step is kept");
        Preview image = new Preview(Preview.Format.JPEG, new byte[] {1, 2, 3});
        progress(log, "1", 5000, image);
        for (int i = 5001; i < 15_000; i++) {
            progress(log, "1", i, null);
        }
        assertEquals(JobEventLog.COALESCE_ABOVE, log.size(), "10,000 more steps of one node replace the last one");
        LoggedEvent executing = log.append("executing", "{\"node\":\"2\"}", "2", null);
        progress(log, "2", 1, null);
        progress(log, "2", 2, null);
        List<LoggedEvent> tail = log.from(executing.seq() - 1);
        assertEquals(List.of("progress", "executing", "progress"), tail.stream().map(LoggedEvent::type).toList());
        assertTrue(tail.get(0).dataJson().contains("14999"), "the latest step is the one kept");
        assertNotNull(log.previewFrame(tail.get(0)), "it inherits the node's latest preview");
        assertEquals(1, log.previewCount());
        assertEquals(executing.seq() + 2, tail.get(2).seq(), "sequence numbers are never reused");

        LoggedEvent end = log.append("executing", "{\"node\":null}", null, null);
        assertTrue(end.isFinal() && log.finished());
        assertThrows(IllegalStateException.class, () -> log.append("progress", "{}", "3", null));
    }

    @Test
    void theHardCapDropsTheOldestAndOnlyTheLatestPreviewIsKept() {
        JobEventLog log = new JobEventLog("p", null, false);
        Preview old = new Preview(Preview.Format.PNG, new byte[10]);
        LoggedEvent first = progress(log, "a", 0, old);
        for (int i = 1; i <= JobEventLog.MAX_EVENTS + 5; i++) {
            log.append("executing", "{\"node\":\"n" + i + "\"}", "n" + i, null); // no two alike: nothing coalesces
        }
        assertTrue(log.size() <= JobEventLog.MAX_EVENTS);
        assertTrue(log.from(0).get(0).seq() > first.seq(), "a replay starts at the oldest kept event");
        LoggedEvent withPreview = progress(log, "b", 1, new Preview(Preview.Format.JPEG, new byte[7]));
        LoggedEvent later = progress(log, "c", 1, new Preview(Preview.Format.JPEG, new byte[9]));
        assertNull(log.previewFrame(withPreview), "an older preview's bytes are not kept");
        assertEquals(8 + 9, log.previewFrame(later).remaining());
        assertEquals(3, log.previewCount());
        assertThrows(IllegalArgumentException.class, () -> log.append("bad\"type", "{}", null, null));
    }

    @Test
    void finishedLogsBeyondTheBoundAreDroppedAndThenAnsweredFromHistory() throws Exception {
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            EventLogs logs = new EventLogs(store, JSON);
            int jobs = EventLogs.MAX_JOBS + 10;
            for (int i = 0; i < jobs; i++) {
                String id = "job-" + i;
                store.enqueue(new JobStore.Job(id, store.nextNumber(false), "{}", "{}", "c", List.of("1"), i));
                store.claimNext().orElseThrow();
                JobEventLog log = logs.start(id, "c");
                log.append("execution_start", "{\"prompt_id\":\"" + id + "\",\"timestamp\":1}", null, null);
                log.append("executing", "{\"node\":\"1\",\"prompt_id\":\"" + id + "\"}", "1", null);
                log.append("execution_success", "{\"prompt_id\":\"" + id + "\",\"timestamp\":2}", null, null);
                store.finish(id, """
                        {"prompt": [], "outputs": {}, "status": {"status_str": "success", "completed": true,
                         "messages": [["execution_start", {"prompt_id": "%s", "timestamp": 1}],
                                      ["execution_success", {"prompt_id": "%s", "timestamp": 2}]]}}"""
                        .formatted(id, id), 3);
                log.append("executing", "{\"node\":null,\"prompt_id\":\"" + id + "\"}", null, null);
                logs.trim();
            }
            assertEquals(EventLogs.MAX_JOBS, logs.size());
            JobEventLog recent = logs.find("job-" + (jobs - 1)).orElseThrow();
            assertFalse(recent.fromHistory());
            assertSame(recent, logs.find("job-" + (jobs - 1)).orElseThrow());
            assertEquals(4, recent.size());

            JobEventLog old = logs.find("job-0").orElseThrow();
            assertTrue(old.fromHistory() && old.finished());
            List<LoggedEvent> events = old.from(0);
            assertEquals(List.of("execution_start", "execution_success", "executing"),
                    events.stream().map(LoggedEvent::type).toList());
            assertEquals(List.of(0L, 1L, 2L), events.stream().map(LoggedEvent::seq).toList());
            assertTrue(events.get(2).isFinal());
            assertTrue(events.get(2).dataJson().contains("\"prompt_id\":\"job-0\""));
            assertTrue(logs.find("never-queued").isEmpty());
        }
    }

    @Test
    void theRunningAndQueuedLogsSurviveTheBound() throws Exception {
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            EventLogs logs = new EventLogs(store, JSON);
            store.enqueue(new JobStore.Job("queued", store.nextNumber(false), "{}", "{}", null, List.of("1"), 0));
            JobEventLog waiting = logs.find("queued").orElseThrow();
            JobEventLog running = logs.start("running", "c");
            for (int i = 0; i < EventLogs.MAX_JOBS + 5; i++) {
                JobEventLog log = logs.start("done-" + i, null);
                log.append("executing", "{\"node\":null}", null, null);
                logs.trim();
            }
            assertSame(running, logs.running());
            assertSame(waiting, logs.find("queued").orElseThrow(), "a queued job's followers keep their log");
            assertSame(waiting, logs.start("queued", null), "the job writes to the log its followers wait on");
            assertEquals(JobEventLog.State.RUNNING, waiting.state());
        }
    }
}
