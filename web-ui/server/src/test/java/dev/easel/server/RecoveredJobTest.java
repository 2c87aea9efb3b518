package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.server.store.JobStore;
import dev.easel.server.store.SqliteJobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job re-run after a crash runs its output nodes again, even where the persistent cache holds their result: its
 * first attempt's files were rolled back, and it must not end "successful" pointing at files that are gone. A fresh
 * job with the same workflow still reuses the cached output node, as in ComfyUI.
 */
class RecoveredJobTest {

    private static final String WORKFLOW = """
            {"1": {"class_type": "Const", "inputs": {"value": 5}},
             "2": {"class_type": "WriteText", "inputs": {"value": ["1", 0], "millis": 0}}}""";

    @TempDir
    Path dir;

    @Test
    void aSecondAttemptRunsItsOutputNodesAgain() throws Exception {
        String first;
        try (TestServer server = TestServer.startWithWriteThroughCache(dir)) {
            first = runToEnd(server, "first");
        }
        assertEquals(List.of("text_00001.txt"), outputFiles());

        // What a kill leaves: the same workflow claimed (running) by a process that then died.
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            store.enqueue(new JobStore.Job("crashed", store.nextNumber(false), WORKFLOW, "{}", null, List.of("2"),
                    System.currentTimeMillis()));
            assertEquals("crashed", store.claimNext().orElseThrow().promptId());
        }
        try (TestServer server = TestServer.startWithWriteThroughCache(dir)) {
            awaitHistory(server, "crashed");
            assertEquals(List.of("text_00002.txt"), files(server, "crashed"), "the re-run wrote its file again");
            assertEquals(List.of("text_00001.txt"), files(server, first));

            String fresh = runToEnd(server, "fresh");
            assertEquals(List.of("text_00001.txt"), files(server, fresh), "a new job reuses the cached output node");
            assertNotEquals(first, fresh);
        }
        assertEquals(List.of("text_00001.txt", "text_00002.txt"), outputFiles());
        assertEquals("crashed", Files.readString(dir.resolve("output/text_00002.txt")).strip());
    }

    private static String runToEnd(TestServer server, String clientId) throws Exception {
        String id = TestServer.JSON.readTree(server.post("/prompt", TestServer.prompt(WORKFLOW, clientId)).body())
                .get("prompt_id").asText();
        awaitHistory(server, id);
        return id;
    }

    private static void awaitHistory(TestServer server, String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (TestServer.JSON.readTree(server.get("/history/" + id).body()).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + id + " did not finish");
            }
            Thread.sleep(5);
        }
    }

    private static List<String> files(TestServer server, String id) throws Exception {
        JsonNode entry = TestServer.JSON.readTree(server.get("/history/" + id).body()).get(id);
        assertEquals("success", entry.get("status").get("status_str").asText(), entry.toString());
        return TestServer.JSON.convertValue(entry.get("outputs").get("2").get("files"), List.class);
    }

    private List<String> outputFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("output"))) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
