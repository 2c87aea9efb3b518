package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.caching.CacheSettings;
import dev.easel.caching.TieredOutputCache;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.exec.EngineSettings;
import dev.easel.engine.plugins.PackBuilder;
import dev.easel.engine.plugins.PluginHost;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.node.Folders;
import dev.easel.node.ModelLibrary;
import dev.easel.node.NodeEnvironment;
import dev.easel.server.store.JobStore;
import dev.easel.server.store.SqliteJobStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /api/plugins} on the real server: list, disable, enable, reload, errors, and object_info following them. */
class PluginRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** The test server's nodes plus the plugins of one folder, loaded before the server starts. */
    private final class WithPlugins implements AutoCloseable {
        final NodeRegistry registry = new NodeRegistry();
        final PluginHost host;
        final Engine engine;
        final EaselServer server;
        final String base;

        WithPlugins(Path plugins) {
            registry.register(new ServerTestNodes());
            Folders folders = Folders.of(dir.resolve("output"), dir.resolve("input"), dir.resolve("temp"));
            NodeEnvironment environment = new NodeEnvironment(folders, ModelLibrary.EMPTY);
            long gib = CacheSettings.GiB;
            TieredOutputCache cache = new TieredOutputCache(new CacheSettings(gib, gib, gib, gib, null, false));
            host = new PluginHost(registry, environment, cache, List.of(plugins));
            engine = new Engine(registry, cache, TestServer.CPU, folders, EngineSettings.defaults());
            server = new EaselServer(engine, TestServer.CPU, environment, SqliteJobStore.open(dir.resolve("jobs.db")),
                    null, MemoryControl.NONE, host);
            host.loadAll();
            base = "http://127.0.0.1:" + server.start("127.0.0.1", 0, JobStore.Recovery.REQUEUE);
        }

        @Override
        public void close() {
            server.close();
            engine.close();
            host.close();
        }
    }

    @Test
    void packsAreListedChangedAtRuntimeAndObjectInfoFollows() throws Exception {
        Path plugins = dir.resolve("plugins");
        PackBuilder.pack("alpha").textNode("t.alpha", "Upper", "AlphaUpper", "text.toUpperCase()")
                .packClass("t.alpha", "new Upper()").jarInto(plugins);
        try (WithPlugins started = new WithPlugins(plugins)) {
            String base = started.base;

            JsonNode list = JSON.readTree(get(base + "/api/plugins").body());
            JsonNode alpha = list.get("plugins").get(0);
            assertEquals("alpha", alpha.get("id").asText());
            assertEquals("started", alpha.get("state").asText());
            assertEquals("AlphaUpper", alpha.get("nodes").get(0).asText());

            HttpResponse<String> info = get(base + "/object_info");
            assertTrue(JSON.readTree(info.body()).has("AlphaUpper"));
            String tag = info.headers().firstValue("ETag").orElseThrow();

            HttpResponse<String> disabled = post(base + "/api/plugins/alpha/disable");
            assertEquals(200, disabled.statusCode(), disabled.body());
            assertEquals("disabled", JSON.readTree(disabled.body()).get("state").asText());
            HttpResponse<String> after = get(base + "/object_info");
            assertFalse(JSON.readTree(after.body()).has("AlphaUpper"));
            assertNotEquals(tag, after.headers().firstValue("ETag").orElseThrow());
            assertTrue(JSON.readTree(after.body()).size() > 0, "the class-path nodes stay");

            HttpResponse<String> conflict = post(base + "/api/plugins/alpha/reload");
            assertEquals(409, conflict.statusCode());
            assertTrue(JSON.readTree(conflict.body()).get("error").asText().contains("disabled"));
            HttpResponse<String> unknown = post(base + "/api/plugins/nope/enable");
            assertEquals(404, unknown.statusCode());
            assertEquals("no node pack 'nope'", JSON.readTree(unknown.body()).get("error").asText());

            HttpResponse<String> enabled = post(base + "/api/plugins/alpha/enable");
            assertEquals(200, enabled.statusCode(), enabled.body());
            assertEquals("started", JSON.readTree(enabled.body()).get("state").asText());
            assertTrue(JSON.readTree(get(base + "/object_info").body()).has("AlphaUpper"));
            HttpResponse<String> reloaded = post(base + "/api/plugins/alpha/reload");
            assertEquals(200, reloaded.statusCode(), reloaded.body());
            assertEquals(List.of("AlphaUpper"), JSON.convertValue(JSON.readTree(reloaded.body()).get("nodes"),
                    List.class));
        }
    }

    @Test
    void aPackDisabledWhileItsNodeRunsFinishesThatJobFailsTheQueuedOneAndIsCollected() throws Exception {
        Path plugins = dir.resolve("plugins");
        PackBuilder.pack("slowpack").textNode("t.slow", "SlowUpper", "SlowUpper",
                "((java.util.concurrent.Callable<String>) () -> { Thread.sleep(1500); return text.toUpperCase(); })"
                        + ".call()")
                .packClass("t.slow", "new SlowUpper()").jarInto(plugins);
        try (WithPlugins started = new WithPlugins(plugins)) {
            WeakReference<ClassLoader> loader = new WeakReference<>(
                    started.registry.find("SlowUpper").orElseThrow().node().getClass().getClassLoader());
            String base = started.base;
            String running = queue(base, "abc");
            String queued = queue(base, "xyz");
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (JSON.readTree(get(base + "/queue").body()).get("queue_running").isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the first job never started");
                Thread.sleep(5);
            }

            HttpResponse<String> disabled = post(base + "/api/plugins/slowpack/disable");
            assertEquals(200, disabled.statusCode(), disabled.body()); // applied between the two jobs
            JsonNode first = awaitHistory(base, running);
            assertEquals("success", first.get("status").get("status_str").asText(), first.toString());
            assertEquals("ABC", first.get("outputs").get("2").get("text").get(0).asText());
            JsonNode second = awaitHistory(base, queued);
            assertEquals("error", second.get("status").get("status_str").asText());
            assertTrue(second.toString().contains("SlowUpper"), "the error names the missing node: " + second);

            for (int i = 0; i < 50 && loader.get() != null; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertTrue(loader.get() == null, "the disabled pack's class loader is still reachable");
        }
    }

    private String queue(String base, String text) throws Exception {
        String workflow = "{\"1\": {\"class_type\": \"SlowUpper\", \"inputs\": {\"text\": \"" + text + "\"}},"
                + " \"2\": {\"class_type\": \"Show\", \"inputs\": {\"value\": [\"1\", 0]}}}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/prompt"))
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.prompt(workflow, "p"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("prompt_id").asText();
    }

    private JsonNode awaitHistory(String base, String id) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            JsonNode h = JSON.readTree(get(base + "/history/" + id).body());
            if (h.has(id)) {
                return h.get(id);
            }
            assertTrue(System.nanoTime() < deadline, "job " + id + " did not finish");
            Thread.sleep(10);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
