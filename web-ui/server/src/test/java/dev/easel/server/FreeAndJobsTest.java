package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.node.ModelLibrary;
import dev.easel.server.TestServer.Recorder;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /free} (flags applied by the runner after the running job, never during it) and {@code /api/jobs}
 * (statuses, filters, sorting, pagination, parameter errors, one job) against the real server.
 */
class FreeAndJobsTest {

    @TempDir
    Path dir;
    private TestServer server;
    private final RecordingMemory memory = new RecordingMemory();

    @BeforeEach
    void start() {
        server = TestServer.start(dir, ModelLibrary.EMPTY, memory);
        memory.server = server;
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static final String QUICK = """
            {"1": {"class_type": "Const", "inputs": {"value": %d}},
             "3": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""";
    private static final String FAILING = """
            {"1": {"class_type": "Const", "inputs": {"value": 1}},
             "2": {"class_type": "Fail", "inputs": {"value": ["1", 0]}},
             "3": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""";
    private static final String SLOW = """
            {"1": {"class_type": "Const", "inputs": {"value": %d}},
             "2": {"class_type": "Slow", "inputs": {"steps": %d, "millis": 10, "value": ["1", 0]}},
             "3": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""";

    // ------------------------------------------------------------------------------------------------ /free

    @Test
    void freeIsAppliedAfterTheRunningJobNotDuringIt() throws Exception {
        Recorder ws = server.connect("c");
        String id = queue(SLOW.formatted(1, 150), "c", null);
        awaitProgress(ws);
        assertEquals(200, server.post("/free", "{\"unload_models\": true}").statusCode());
        assertEquals(200, server.post("/api/free", "{\"unload_models\": false, \"free_memory\": true}").statusCode());
        Thread.sleep(200);
        assertEquals(List.of(), memory.calls(), "applied while the job ran");
        ws.untilDone(id);
        List<Call> calls = memory.await(2);
        assertEquals(List.of("unload", "free"), calls.stream().map(Call::what).toList(), "flags add up, applied once");
        for (Call call : calls) {
            assertEquals(0, call.running(), "applied while a job ran");
            assertTrue(call.history().contains(id), "applied before the job had finished: " + call.history());
        }
        Thread.sleep(700); // the runner's idle loop must not apply them again
        assertEquals(2, memory.calls().size());
    }

    @Test
    void freeWhileIdleIsAppliedAtOnceWithComfyDefaults() throws Exception {
        assertEquals(200, server.post("/free", "{\"free_memory\": true}").statusCode());
        assertEquals(List.of("unload", "free"), memory.awaitNames(2)); // unload_models defaults to free_memory
        memory.clear();
        assertEquals(200, server.post("/free", "{\"unload_models\": true}").statusCode());
        assertEquals(List.of("unload"), memory.awaitNames(1));
        memory.clear();
        assertEquals(200, server.post("/free", "{\"unload_models\": false, \"free_memory\": false}").statusCode());
        assertEquals(200, server.post("/free", "{}").statusCode());
        Thread.sleep(800);
        assertEquals(List.of(), memory.calls());
        assertEquals(400, server.post("/free", "not json").statusCode());
        assertEquals(400, server.post("/free", "[true]").statusCode());
    }

    // ------------------------------------------------------------------------------------------------ /api/jobs

    @Test
    void jobsListsQueueAndHistoryWithComfyShapes() throws Exception {
        Recorder ws = server.connect("c");
        String completed = queue(QUICK.formatted(5), "c", "wf-1");
        ws.untilDone(completed);
        String failed = queue(FAILING, "c", "wf-2");
        ws.untilDone(failed);
        String cancelled = queue(SLOW.formatted(2, 1000), "c", null);
        awaitProgress(ws, 20); // runs longer than the others
        assertEquals(200, server.post("/interrupt", "{}").statusCode());
        ws.untilDone(cancelled);
        String running = queue(SLOW.formatted(3, 1000), "c", "wf-1");
        awaitProgress(ws);
        String pending = queue(QUICK.formatted(7), "c", null);

        JsonNode all = jobs("");
        assertEquals(List.of(pending, running, cancelled, failed, completed), ids(all)); // newest first
        assertEquals(5, all.get("pagination").get("total").asInt());
        assertEquals(0, all.get("pagination").get("offset").asInt());
        assertTrue(all.get("pagination").get("limit").isNull());
        assertFalse(all.get("pagination").get("has_more").asBoolean());
        assertEquals(List.of("pending", "in_progress", "cancelled", "failed", "completed"),
                all.get("jobs").findValuesAsText("status"));

        JsonNode done = jobs("?status=completed").get("jobs").get(0);
        assertEquals(completed, done.get("id").asText());
        assertTrue(done.get("priority").isNumber());
        assertTrue(done.get("create_time").asLong() > 0);
        assertTrue(done.get("execution_end_time").asLong() >= done.get("execution_start_time").asLong());
        assertEquals(0, done.get("outputs_count").asInt()); // a text result is preview-only, not an output item
        assertEquals("5", done.get("preview_output").get("content").asText());
        assertEquals("3", done.get("preview_output").get("nodeId").asText());
        assertEquals("text", done.get("preview_output").get("mediaType").asText());
        assertEquals("wf-1", done.get("workflow_id").asText());
        assertFalse(done.has("execution_error") || done.has("outputs") || done.has("workflow"));

        JsonNode error = jobs("?status=failed").get("jobs").get(0);
        assertEquals(failed, error.get("id").asText());
        assertTrue(error.get("execution_error").get("exception_message").asText().contains("always fails"));
        assertEquals(List.of(cancelled), ids(jobs("?status=cancelled")));
        assertEquals(List.of(pending, running), ids(jobs("?status=in_progress,%20PENDING")));
        JsonNode queued = jobs("?status=pending").get("jobs").get(0);
        assertEquals(0, queued.get("outputs_count").asInt());
        assertFalse(queued.has("execution_start_time") || queued.has("workflow_id") || queued.has("preview_output"));
        assertEquals(List.of(running, completed), ids(jobs("?workflow_id=wf-1")));
        assertEquals(List.of(completed), ids(jobs("?workflow_id=wf-1&status=completed")));

        assertEquals(List.of(completed, failed, cancelled, running, pending), ids(jobs("?sort_order=asc")));
        JsonNode page = jobs("?sort_order=asc&limit=2&offset=1");
        assertEquals(List.of(failed, cancelled), ids(page));
        assertEquals(5, page.get("pagination").get("total").asInt());
        assertEquals(2, page.get("pagination").get("limit").asInt());
        assertTrue(page.get("pagination").get("has_more").asBoolean());
        JsonNode last = jobs("?sort_order=asc&limit=2&offset=4");
        assertEquals(List.of(pending), ids(last));
        assertFalse(last.get("pagination").get("has_more").asBoolean());
        assertEquals(List.of(completed, failed), ids(jobs("?sort_order=asc&limit=2&offset=-5")));
        assertEquals(0, jobs("?offset=99").get("jobs").size());

        // Longest first; jobs that never ran count as 0 and keep their queue order.
        JsonNode byDuration = jobs("?sort_by=execution_duration&sort_order=desc");
        List<Long> durations = new ArrayList<>();
        for (JsonNode job : byDuration.get("jobs")) {
            durations.add(job.has("execution_start_time")
                    ? job.get("execution_end_time").asLong() - job.get("execution_start_time").asLong() : 0);
        }
        List<Long> sorted = new ArrayList<>(durations);
        sorted.sort(Collections.reverseOrder());
        assertEquals(sorted, durations);
        assertEquals(cancelled, byDuration.get("jobs").get(0).get("id").asText()); // it ran for a while
        assertEquals(List.of(running, pending), ids(byDuration).subList(3, 5));

        assertEquals(200, server.post("/interrupt", "{}").statusCode());
    }

    @Test
    void oneJobHasItsOutputsStatusAndWorkflow() throws Exception {
        Recorder ws = server.connect("c");
        String completed = queue(QUICK.formatted(5), "c", "wf-1");
        ws.untilDone(completed);
        JsonNode job = json("/api/jobs/" + completed, 200);
        assertEquals("completed", job.get("status").asText());
        assertEquals("5", job.get("outputs").get("3").get("text").get(0).asText());
        assertEquals("success", job.get("execution_status").get("status_str").asText());
        assertEquals("execution_start", job.get("execution_status").get("messages").get(0).get(0).asText());
        assertEquals("Const", job.get("workflow").get("prompt").get("1").get("class_type").asText());
        assertEquals("wf-1", job.get("workflow").get("extra_data").get("extra_pnginfo").get("workflow").get("id")
                .asText());

        String running = queue(SLOW.formatted(3, 1000), "c", null);
        awaitProgress(ws);
        String pending = queue(QUICK.formatted(9), "c", null);
        JsonNode queued = json("/api/jobs/" + pending, 200);
        assertEquals("pending", queued.get("status").asText());
        assertEquals("Const", queued.get("workflow").get("prompt").get("1").get("class_type").asText());
        assertFalse(queued.has("outputs") || queued.has("execution_status"));
        assertEquals("in_progress", json("/api/jobs/" + running, 200).get("status").asText());

        assertEquals("Job not found", json("/api/jobs/no-such-job", 404).get("error").asText());
        assertEquals(200, server.post("/interrupt", "{}").statusCode());
    }

    @Test
    void badJobParametersGetComfysErrors() throws Exception {
        assertEquals("Invalid status value(s): bogus. Valid values: pending, in_progress, completed, failed, cancelled",
                json("/api/jobs?status=completed,bogus", 400).get("error").asText());
        assertEquals("sort_by must be 'created_at' or 'execution_duration'",
                json("/api/jobs?sort_by=name", 400).get("error").asText());
        assertEquals("sort_order must be 'asc' or 'desc'", json("/api/jobs?sort_order=up", 400).get("error").asText());
        assertEquals("limit must be a positive integer", json("/api/jobs?limit=0", 400).get("error").asText());
        assertEquals("limit must be an integer", json("/api/jobs?limit=ten", 400).get("error").asText());
        assertEquals("offset must be an integer", json("/api/jobs?offset=1.5", 400).get("error").asText());
        assertEquals(0, json("/api/jobs?limit=99999999999999999999", 200).get("jobs").size());
        assertEquals(404, server.get("/jobs").statusCode()); // only under /api, as in ComfyUI
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private String queue(String workflow, String clientId, String workflowId) throws Exception {
        Thread.sleep(3); // distinct create times, so that the order is the queueing order
        String extra = workflowId == null ? "{}"
                : "{\"extra_pnginfo\": {\"workflow\": {\"id\": \"" + workflowId + "\", \"nodes\": []}}}";
        HttpResponse<String> r = server.post("/prompt", "{\"prompt\": " + workflow + ", \"client_id\": \"" + clientId
                + "\", \"extra_data\": " + extra + "}");
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.JSON.readTree(r.body()).get("prompt_id").asText();
    }

    private static void awaitProgress(Recorder ws) throws InterruptedException {
        awaitProgress(ws, 1);
    }

    /** Waits for a {@code progress} message with a value of at least {@code step}. */
    private static void awaitProgress(Recorder ws, int step) throws InterruptedException {
        while (true) {
            JsonNode m = ws.messages.poll(20, TimeUnit.SECONDS);
            assertTrue(m != null, "no progress");
            if (m.get("type").asText().equals("progress") && m.get("data").get("value").asInt() >= step) {
                return;
            }
        }
    }

    private JsonNode jobs(String query) throws Exception {
        return json("/api/jobs" + query, 200);
    }

    private JsonNode json(String path, int status) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertEquals(status, r.statusCode(), path + ": " + r.body());
        return TestServer.JSON.readTree(r.body());
    }

    private static List<String> ids(JsonNode reply) {
        return reply.get("jobs").findValuesAsText("id");
    }

    /** One call of the fake, with what the server reported at that moment. */
    record Call(String what, int running, String history) {
    }

    /** A {@link MemoryControl} that records its calls and, at each, whether a job was running. */
    static final class RecordingMemory implements MemoryControl {
        volatile TestServer server;
        private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void unloadModels() {
            calls.add(observe("unload"));
        }

        @Override
        public void freeMemory() {
            calls.add(observe("free"));
        }

        private Call observe(String what) {
            try {
                JsonNode queue = TestServer.JSON.readTree(server.get("/queue").body());
                return new Call(what, queue.get("queue_running").size(), server.get("/history").body());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        List<Call> calls() {
            return List.copyOf(calls);
        }

        void clear() {
            calls.clear();
        }

        List<Call> await(int count) throws InterruptedException {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (calls.size() < count && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            List<Call> seen = calls();
            assertEquals(count, seen.size(), seen.toString());
            return seen;
        }

        List<String> awaitNames(int count) throws InterruptedException {
            return await(count).stream().map(Call::what).toList();
        }
    }
}
