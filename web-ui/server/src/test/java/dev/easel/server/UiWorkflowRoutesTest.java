package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UI-format workflows through the server: {@code POST /prompt} runs them, {@code /api/workflow/convert} converts. */
class UiWorkflowRoutesTest {

    private static final ObjectMapper JSON = TestServer.JSON;

    /**
     * Const 1 → Reroute 4 → Slow 2 → Show 3, Slow's steps turned into a socket fed by PrimitiveNode 5, a Note and a
     * muted Fail node; as the editor saves it (version 0.4).
     */
    private static final String UI = """
            {"last_node_id": 7, "last_link_id": 5, "version": 0.4,
             "nodes": [
              {"id": 1, "type": "Const", "mode": 0, "widgets_values": [5],
               "outputs": [{"name": "INT", "type": "INT", "links": [1]}]},
              {"id": 4, "type": "Reroute", "mode": 0, "inputs": [{"name": "", "type": "*", "link": 1}],
               "outputs": [{"name": "", "type": "INT", "links": [2]}]},
              {"id": 5, "type": "PrimitiveNode", "mode": 0, "widgets_values": [3],
               "outputs": [{"name": "INT", "type": "INT", "links": [4], "widget": {"name": "steps"}}]},
              {"id": 2, "type": "Slow", "mode": 0, "title": "Slow down",
               "inputs": [{"name": "value", "type": "INT", "link": 2},
                          {"name": "steps", "type": "INT", "widget": {"name": "steps"}, "link": 4}],
               "outputs": [{"name": "INT", "type": "INT", "links": [3]}], "widgets_values": [900, 1]},
              {"id": 3, "type": "Show", "mode": 0, "inputs": [{"name": "value", "type": "*", "link": 3}]},
              {"id": 6, "type": "Note", "mode": 0, "widgets_values": ["a note"]},
              {"id": 7, "type": "Fail", "mode": 2, "inputs": [{"name": "value", "type": "INT", "link": 5}]}],
             "links": [[1, 1, 0, 4, 0, "*"], [2, 4, 0, 2, 2, "INT"], [3, 2, 0, 3, 0, "*"], [4, 5, 0, 2, 0, "INT"],
                       [5, 1, 0, 7, 0, "INT"]],
             "groups": [], "config": {}, "extra": {}}""";

    private static final String API = """
            {"1": {"inputs": {"value": 5}, "class_type": "Const", "_meta": {"title": "Const"}},
             "2": {"inputs": {"steps": 3, "millis": 1, "value": ["1", 0]}, "class_type": "Slow",
                   "_meta": {"title": "Slow down"}},
             "3": {"inputs": {"value": ["2", 0]}, "class_type": "Show", "_meta": {"title": "Show"}}}""";

    @TempDir
    Path dir;
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void promptAcceptsAUiWorkflowRunsItAndEmbedsItForPngs() throws Exception {
        TestServer.Recorder ws = server.connect("ui-client");
        HttpResponse<String> r = server.post("/prompt", TestServer.prompt(UI, "ui-client"));
        assertEquals(200, r.statusCode(), r.body());
        String id = JSON.readTree(r.body()).get("prompt_id").asText();
        List<String> events = ws.untilDone(id);
        assertEquals("execution_success", events.get(events.size() - 2), events.toString());

        JsonNode history = JSON.readTree(server.get("/history/" + id).body()).get(id);
        assertEquals(3, events.stream().filter("progress"::equals).count(), "steps from the PrimitiveNode: " + events);
        assertEquals("5", history.at("/outputs/3/text/0").asText()); // Const's value, through the Reroute and Slow
        assertEquals(JSON.readTree(API), history.get("prompt").get(2), "history keeps the converted prompt");
        assertEquals(JSON.readTree(UI), history.get("prompt").get(3).at("/extra_pnginfo/workflow"));
    }

    @Test
    void aWorkflowTheClientEmbedsItselfIsKept() throws Exception {
        String body = "{\"prompt\": " + UI + ", \"extra_data\": {\"extra_pnginfo\": {\"workflow\": {\"mine\": 1}, "
                + "\"other\": 2}}}";
        HttpResponse<String> r = server.post("/api/prompt", body);
        assertEquals(200, r.statusCode(), r.body());
        String id = JSON.readTree(r.body()).get("prompt_id").asText();
        JsonNode job = awaitHistory(id);
        assertEquals(JSON.readTree("{\"workflow\": {\"mine\": 1}, \"other\": 2}"),
                job.get("prompt").get(3).get("extra_pnginfo"));
    }

    @Test
    void unknownNodeTypeInAUiPromptIsA400NamingTheNode() throws Exception {
        String ui = UI.replace("\"type\": \"Show\"", "\"type\": \"ShowFancy\"");
        HttpResponse<String> r = server.post("/prompt", TestServer.prompt(ui, "c"));
        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertEquals("missing_node_type", error.get("type").asText());
        assertEquals("3", error.at("/extra_info/node_id").asText());
        assertEquals("ShowFancy", error.at("/extra_info/class_type").asText());
        assertTrue(error.get("details").asText().contains("node 3 (ShowFancy)"), r.body());
        assertEquals(0, JSON.readTree(server.get("/queue").body()).get("queue_pending").size());
    }

    @Test
    void convertAnswersTheApiPromptWithoutQueueing() throws Exception {
        HttpResponse<String> r = server.post("/api/workflow/convert", UI);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(JSON.readTree("{\"prompt\": " + API + "}"), JSON.readTree(r.body()));
        assertEquals("{}", JSON.readTree(server.get("/history").body()).toString());
    }

    @Test
    void convertRefusesWhatItCannotConvertWithTheNodeInNodeErrors() throws Exception {
        HttpResponse<String> bad = server.post("/api/workflow/convert",
                UI.replace("\"widgets_values\": [5]", "\"widgets_values\": 5"));
        assertEquals(400, bad.statusCode(), bad.body());
        JsonNode body = JSON.readTree(bad.body());
        assertEquals("invalid_ui_workflow", body.at("/error/type").asText());
        assertTrue(body.at("/error/details").asText().startsWith("node 1 (Const): widgets_values"), bad.body());
        assertEquals("Const", body.at("/node_errors/1/class_type").asText());
        assertEquals("invalid_ui_workflow", body.at("/node_errors/1/errors/0/type").asText());

        HttpResponse<String> api = server.post("/api/workflow/convert", API);
        assertEquals(400, api.statusCode(), api.body());
        assertTrue(JSON.readTree(api.body()).at("/error/details").asText().contains("UI-format"), api.body());
    }

    private JsonNode awaitHistory(String id) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode entry = JSON.readTree(server.get("/history/" + id).body()).get(id);
            if (entry != null) {
                return entry;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not finish");
    }
}
