package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.server.TestServer.Recorder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server on a free loopback port, driven like a ComfyUI API client: POST /prompt, listen on /ws, read
 * /history and /queue. Checks the reply shapes and the WebSocket event order for a successful job, a cached re-run,
 * a validation failure, an execution error and an interrupted job.
 */
class ServerContractTest {

    private static final ObjectMapper JSON = TestServer.JSON;

    @TempDir
    Path dir;
    private TestServer server;
    private String base;
    private HttpClient http;

    @BeforeEach
    void start() {
        server = TestServer.start(dir);
        base = server.base;
        http = server.http;
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return server.post(path, body);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return server.get(path);
    }

    private Recorder connect(String clientId) throws Exception {
        return server.connect(clientId);
    }

    private static String prompt(String workflow, String clientId) {
        return TestServer.prompt(workflow, clientId);
    }

    private static final String GOOD = """
            {"1": {"class_type": "Const", "inputs": {"value": 5}},
             "2": {"class_type": "Slow", "inputs": {"steps": 3, "millis": 1, "value": ["1", 0]}},
             "3": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""";

    @Test
    void successThenCachedReRunWithTheContractsEventsAndHistory() throws Exception {
        Recorder ws = connect("client-a");
        HttpResponse<String> r = post("/prompt", prompt(GOOD, "client-a"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode reply = JSON.readTree(r.body());
        String id = reply.get("prompt_id").asText();
        assertTrue(reply.get("number").isNumber());
        assertTrue(reply.get("node_errors").isObject() && reply.get("node_errors").isEmpty());

        List<String> events = ws.untilDone(id);
        assertEquals(List.of("execution_start", "execution_cached", "executing", "executing", "progress", "progress",
                "progress", "executing", "executed", "execution_success", "executing"), events);

        JsonNode history = JSON.readTree(get("/history/" + id).body()).get(id);
        assertEquals(id, history.get("prompt").get(1).asText());
        assertEquals("success", history.get("status").get("status_str").asText());
        assertTrue(history.get("status").get("completed").asBoolean());
        assertEquals("5", history.get("outputs").get("3").get("text").get(0).asText());

        // the same workflow again: everything but the output node comes from the cache
        String again = JSON.readTree(post("/api/prompt", prompt(GOOD, "client-a")).body()).get("prompt_id").asText();
        List<String> second = ws.untilDone(again);
        assertEquals("execution_start", second.get(0));
        assertEquals("execution_success", second.get(second.size() - 2));
        assertFalse(second.contains("progress"), "cached nodes do not run: " + second);

        JsonNode all = JSON.readTree(get("/history").body());
        assertEquals(List.of(id, again), iterate(all.fieldNames()));
        JsonNode newest = JSON.readTree(get("/history?max_items=1").body());
        assertEquals(List.of(again), iterate(newest.fieldNames()));
        JsonNode queue = JSON.readTree(get("/queue").body());
        assertTrue(queue.get("queue_running").isArray() && queue.get("queue_pending").isArray());
        assertEquals(0, JSON.readTree(get("/prompt").body()).get("exec_info").get("queue_remaining").asInt());
    }

    private static List<String> iterate(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void validationFailureIsA400WithNodeErrorsAndNothingIsQueued() throws Exception {
        HttpResponse<String> r = post("/prompt", prompt("""
                {"1": {"class_type": "Const", "inputs": {"value": 5000}},
                 "3": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""", "x"));
        assertEquals(400, r.statusCode());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("prompt_outputs_failed_validation", body.get("error").get("type").asText());
        assertEquals("value_bigger_than_max",
                body.get("node_errors").get("1").get("errors").get(0).get("type").asText());
        assertEquals(0, JSON.readTree(get("/queue").body()).get("queue_pending").size());

        assertEquals("no_prompt", JSON.readTree(post("/prompt", "{}").body()).get("error").get("type").asText());
        HttpResponse<String> malformed = post("/prompt", "{\"prompt\": {");
        assertEquals(400, malformed.statusCode());
        assertEquals(400, post("/queue", "[1, 2]").statusCode());
    }

    @Test
    void executionErrorAndInterruptEndTheJobWithTheirEvents() throws Exception {
        Recorder ws = connect("client-b");
        String failing = JSON.readTree(post("/prompt", prompt("""
                {"1": {"class_type": "Const", "inputs": {"value": 1}},
                 "2": {"class_type": "Fail", "inputs": {"value": ["1", 0]}},
                 "3": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""", "client-b")).body())
                .get("prompt_id").asText();
        List<String> events = ws.untilDone(failing);
        assertTrue(events.contains("execution_error"), events.toString());
        assertFalse(events.contains("execution_success"));
        JsonNode h = JSON.readTree(get("/history/" + failing).body()).get(failing);
        assertEquals("error", h.get("status").get("status_str").asText());

        String slow = JSON.readTree(post("/prompt", prompt("""
                {"1": {"class_type": "Const", "inputs": {"value": 2}},
                 "2": {"class_type": "Slow", "inputs": {"steps": 1000, "millis": 5, "value": ["1", 0]}},
                 "3": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""", "client-b")).body())
                .get("prompt_id").asText();
        while (true) { // wait until it runs
            JsonNode m = ws.messages.poll(20, TimeUnit.SECONDS);
            if (m.get("type").asText().equals("progress")) {
                break;
            }
        }
        assertEquals(200, post("/interrupt", "{\"prompt_id\": \"" + slow + "\"}").statusCode());
        List<String> rest = ws.untilDone(slow);
        assertTrue(rest.contains("execution_interrupted"), rest.toString());
        assertEquals("error", JSON.readTree(get("/history/" + slow).body()).get(slow).get("status")
                .get("status_str").asText());
    }

    @Test
    void objectInfoHasAnEtagAndUnknownClassesGiveEmptyObjects() throws Exception {
        HttpResponse<String> info = get("/object_info");
        assertEquals(200, info.statusCode());
        assertTrue(JSON.readTree(info.body()).has("Slow"));
        String tag = info.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> cached = http.send(HttpRequest.newBuilder(URI.create(base + "/api/object_info"))
                .header("If-None-Match", tag).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(304, cached.statusCode());
        assertEquals("{}", get("/object_info/NoSuchNode").body());
        assertTrue(JSON.readTree(get("/object_info/Show").body()).has("Show"));
        assertTrue(JSON.readTree(get("/system_stats").body()).get("devices").isArray());
    }

    @Test
    void crossSiteRequestsAreRefused() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/prompt"))
                .header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.ofString(prompt(GOOD, "x")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode());
        assertEquals(0, JSON.readTree(get("/queue").body()).get("queue_pending").size());
    }
}
