package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/workflow/default}: the default workflow file as it is now, or 204 when there is none. */
class DefaultWorkflowRouteTest {

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
    void servesTheFileAsItIsNowAndNoContentWithoutOne() throws Exception {
        assertEquals(204, server.get("/api/workflow/default").statusCode(), "none configured");

        Path file = dir.resolve("text-to-image.json");
        server.server.defaultWorkflow(file);
        assertEquals(204, server.get("/api/workflow/default").statusCode(), "configured but not there");

        Files.writeString(file, "{\"1\": {\"class_type\": \"Const\", \"inputs\": {\"value\": 5}}}");
        HttpResponse<String> first = server.get("/api/workflow/default");
        assertEquals(200, first.statusCode());
        assertEquals(5, TestServer.JSON.readTree(first.body()).at("/1/inputs/value").asInt());

        Files.writeString(file, "{\"1\": {\"class_type\": \"Const\", \"inputs\": {\"value\": 6}}}");
        assertEquals(6, TestServer.JSON.readTree(server.get("/api/workflow/default").body()).at("/1/inputs/value")
                .asInt(), "read again on each request");

        Files.writeString(file, "{not json");
        HttpResponse<String> broken = server.get("/api/workflow/default");
        assertEquals(500, broken.statusCode());
        assertEquals(true, broken.body().contains("text-to-image.json"), broken.body());
    }
}
