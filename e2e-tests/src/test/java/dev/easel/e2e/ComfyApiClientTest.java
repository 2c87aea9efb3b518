package dev.easel.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.launcher.EaselCli;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What ComfyUI's own API example ({@code websockets_api_example.py}) does, against {@code easel serve} started as its
 * own process: connect to {@code /ws?clientId=}, POST the text-to-image workflow to {@code /prompt}, wait for
 * {@code executing} with {@code node: null}, read {@code /history/{id}} and fetch each image from {@code /view}. The
 * image must be the one {@code easel run} makes from the same seed.
 */
class ComfyApiClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on (http://[^ ]+)");

    @TempDir
    Path scratch;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anUnchangedComfyUiClientGetsTheImageEaselRunMakes() throws Exception {
        Path data = scratch.resolve("data");
        RepoFiles.linkFixtureCheckpoints(data);
        Path workflowFile = RepoFiles.fixtureWorkflow();
        ObjectNode workflow = (ObjectNode) JSON.readTree(Files.readString(workflowFile));
        ((ObjectNode) workflow.get("3").get("inputs")).put("seed", 7);

        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EaselCli.class.getName(),
                "serve", "--port", "0", "--data-dir", data.toString())
                .redirectErrorStream(true).start();
        try {
            String base = awaitListening(server);
            String clientId = UUID.randomUUID().toString();
            Messages ws = new Messages();
            http.newWebSocketBuilder().buildAsync(URI.create(base.replace("http", "ws") + "/ws?clientId=" + clientId),
                    ws).get(30, TimeUnit.SECONDS);

            ObjectNode body = JSON.createObjectNode();
            body.set("prompt", workflow);
            body.put("client_id", clientId);
            HttpResponse<String> queued = http.send(HttpRequest.newBuilder(URI.create(base + "/prompt"))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, queued.statusCode(), queued.body());
            String promptId = JSON.readTree(queued.body()).get("prompt_id").asText();

            List<String> types = ws.untilDone(promptId);
            assertEquals("execution_start", types.get(0), types.toString());
            assertTrue(types.contains("progress") && types.contains("executed")
                    && types.contains("execution_success"), types.toString());

            JsonNode history = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/history/"
                    + promptId)).build(), HttpResponse.BodyHandlers.ofString()).body()).get(promptId);
            JsonNode images = history.get("outputs").get("9").get("images");
            assertEquals(1, images.size());
            JsonNode image = images.get(0);
            HttpResponse<byte[]> view = http.send(HttpRequest.newBuilder(URI.create(base + "/view?filename="
                    + enc(image.get("filename").asText()) + "&subfolder=" + enc(image.get("subfolder").asText())
                    + "&type=" + enc(image.get("type").asText()))).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, view.statusCode());
            assertEquals("image/png", view.headers().firstValue("Content-Type").orElse(""));
            assertTrue(new String(view.body(), StandardCharsets.ISO_8859_1).contains("tEXtprompt"),
                    "the PNG carries the workflow");
            BufferedImage served = ImageIO.read(new ByteArrayInputStream(view.body()));
            assertNotNull(served);
            assertArrayEquals(pixels(ImageIO.read(runLocally(data, workflowFile).toFile())), pixels(served),
                    "the served image is the one easel run makes from the same seed");
        } finally {
            server.destroy(); // SIGTERM: the server's shutdown hook closes the store
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    private Path runLocally(Path data, Path workflowFile) throws Exception {
        Path out = scratch.resolve("run");
        StringWriter stdout = new StringWriter();
        CommandLine cli = EaselCli.newCommandLine();
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stdout, true));
        int code = cli.execute("run", workflowFile.toString(), "--data-dir", data.toString(), "--out", out.toString(),
                "--no-cache", "--set", "3.seed=7");
        assertEquals(0, code, stdout.toString());
        try (Stream<Path> files = Files.walk(out)) {
            return files.filter(p -> p.toString().endsWith(".png")).findFirst().orElseThrow();
        }
    }

    private static String awaitListening(Process server) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        out.lines().forEach(l -> { }); // keeps the pipe from filling up
                    } catch (java.io.UncheckedIOException closed) {
                        // the server ended
                    }
                }, "server-output");
                drain.setDaemon(true);
                drain.start();
                return m.group(1);
            }
        }
        throw new AssertionError("easel serve ended before it listened:\n" + seen);
    }

    /** The text messages of a WebSocket, as ComfyUI's example reads them. */
    private static final class Messages implements WebSocket.Listener {
        final BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    queue.add(JSON.readTree(partial.toString()));
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
            ws.request(1); // previews: the example skips them too
            return null;
        }

        List<String> untilDone(String promptId) throws InterruptedException {
            List<String> types = new ArrayList<>();
            while (true) {
                JsonNode m = queue.poll(5, TimeUnit.MINUTES);
                assertNotNull(m, "no end of job; got " + types);
                String type = m.get("type").asText();
                if (!type.equals("status")) {
                    types.add(type);
                }
                JsonNode d = m.get("data");
                if (type.equals("executing") && d.get("node").isNull() && promptId.equals(d.path("prompt_id").asText())) {
                    return types;
                }
            }
        }
    }
}
