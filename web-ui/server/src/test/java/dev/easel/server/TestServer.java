package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.caching.CacheSettings;
import dev.easel.caching.TieredOutputCache;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.exec.EngineSettings;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.node.Folders;
import dev.easel.node.ModelLibrary;
import dev.easel.node.NodeEnvironment;
import dev.easel.node.NodePack;
import dev.easel.node.RuntimeInfo;
import dev.easel.server.store.JobStore;
import dev.easel.server.store.SqliteJobStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The real server with the test nodes ({@link ServerTestNodes}) on a free loopback port, its data folders under a
 * test's temporary folder, and a ComfyUI-style client for it (HTTP and {@code /ws}).
 */
final class TestServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    static final RuntimeInfo CPU = RuntimeInfo.fixed("cpu", false);

    final Path dir;
    final Folders folders;
    final Engine engine;
    final EaselServer server;
    final String base;
    final HttpClient http = HttpClient.newHttpClient();

    private TestServer(Path dir, ModelLibrary models, String token) {
        this(dir, models, token, MemoryControl.NONE, List.of(), false);
    }

    private TestServer(Path dir, ModelLibrary models, String token, MemoryControl memory, List<NodePack> packs,
            boolean writeThroughCache) {
        this.dir = dir;
        NodeRegistry registry = new NodeRegistry();
        registry.register(new ServerTestNodes());
        folders = Folders.of(dir.resolve("output"), dir.resolve("input"), dir.resolve("temp"));
        NodeEnvironment environment = new NodeEnvironment(folders, models);
        packs.forEach(pack -> registry.register(pack, environment));
        long gib = CacheSettings.GiB;
        engine = new Engine(registry, new TieredOutputCache(new CacheSettings(gib, gib, gib, gib, dir.resolve("cache"),
                writeThroughCache)), CPU, folders, EngineSettings.defaults());
        server = new EaselServer(engine, CPU, environment, SqliteJobStore.open(dir.resolve("jobs.db")), token,
                memory);
        int port = server.start("127.0.0.1", 0, JobStore.Recovery.REQUEUE);
        base = "http://127.0.0.1:" + port;
    }

    /** A server over {@code dir} with no model files and no access token. */
    static TestServer start(Path dir) {
        return new TestServer(dir, ModelLibrary.EMPTY, null);
    }

    static TestServer start(Path dir, ModelLibrary models, String token) {
        return new TestServer(dir, models, token);
    }

    /** A server whose cache writes every result through to its disk tier at once, as {@code easel serve}'s does. */
    static TestServer startWithWriteThroughCache(Path dir) {
        return new TestServer(dir, ModelLibrary.EMPTY, null, MemoryControl.NONE, List.of(), true);
    }

    /** A server with these model files, this {@code /free} target and further node packs (given the environment). */
    static TestServer start(Path dir, ModelLibrary models, MemoryControl memory, NodePack... packs) {
        return new TestServer(dir, models, null, memory, List.of(packs), false);
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The body of a POST /prompt for {@code workflow} (API format) queued by {@code clientId}. */
    static String prompt(String workflow, String clientId) {
        return "{\"prompt\": " + workflow + ", \"client_id\": \"" + clientId + "\"}";
    }

    /** Connects to {@code /ws} as {@code clientId} and checks the first {@code status} message. */
    Recorder connect(String clientId) throws Exception {
        Recorder recorder = new Recorder();
        http.newWebSocketBuilder().buildAsync(URI.create(base.replace("http", "ws") + "/ws?clientId=" + clientId),
                recorder).get(10, TimeUnit.SECONDS);
        JsonNode first = recorder.messages.poll(10, TimeUnit.SECONDS);
        assertEquals("status", first.get("type").asText());
        assertEquals(clientId, first.get("data").get("sid").asText());
        assertTrue(first.get("data").get("status").get("exec_info").has("queue_remaining"));
        return recorder;
    }

    @Override
    public void close() {
        server.close();
        engine.close();
    }

    /** A WebSocket client that records text messages and binary frames. */
    static final class Recorder implements WebSocket.Listener {
        final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> binary = new LinkedBlockingQueue<>();
        /** The close status code once the socket closed (1006 when it broke without a close frame). */
        final java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private final java.io.ByteArrayOutputStream partialBinary = new java.io.ByteArrayOutputStream();
        volatile WebSocket socket;

        @Override
        public void onOpen(WebSocket ws) {
            socket = ws;
            ws.request(1);
        }

        /** Sends a text message to the server. */
        void send(String text) throws Exception {
            socket.sendText(text, true).get(10, TimeUnit.SECONDS);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(1006);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    messages.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            partialBinary.writeBytes(bytes); // large frames arrive in parts
            if (last) {
                binary.add(partialBinary.toByteArray());
                partialBinary.reset();
            }
            ws.request(1);
            return null;
        }

        /** Message types until the final {@code executing} with node null (inclusive). */
        List<String> untilDone(String promptId) throws InterruptedException {
            List<String> types = new ArrayList<>();
            while (true) {
                JsonNode m = messages.poll(20, TimeUnit.SECONDS);
                assertTrue(m != null, "timed out; got " + types);
                String type = m.get("type").asText();
                if (type.equals("status")) {
                    continue;
                }
                types.add(type);
                if (type.equals("executing") && m.get("data").get("node").isNull()
                        && promptId.equals(m.get("data").get("prompt_id").asText())) {
                    return types;
                }
            }
        }
    }
}
