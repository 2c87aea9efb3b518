package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.node.OutputFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's fault test: 50 jobs that each write a result file are queued, and the server process is killed with
 * SIGKILL while it works through them, three times, each time restarted over the same data folder. In the end every
 * job has completed exactly once, none is lost, and every job's file exists exactly once: the files of a run the kill
 * cut short were undone before that job ran again.
 */
class ServerKillTest {

    private static final int JOBS = 50;
    private static final int KILLS = 3;

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void jobsSurviveSigkillsWithoutLossOrDuplicateOutputs() throws Exception {
        Set<String> queued = new HashSet<>();
        Process server = startServer();
        try {
            String base = baseOf(server);
            for (int i = 0; i < JOBS; i++) {
                String workflow = "{\"1\": {\"class_type\": \"Const\", \"inputs\": {\"value\": " + i + "}},"
                        + " \"2\": {\"class_type\": \"WriteText\", \"inputs\": {\"value\": [\"1\", 0], \"millis\": 30}}}";
                HttpResponse<String> r = post(base, "/prompt", TestServer.prompt(workflow, "kill-test"));
                assertEquals(200, r.statusCode(), r.body());
                queued.add(TestServer.JSON.readTree(r.body()).get("prompt_id").asText());
            }
            for (int kill = 1; kill <= KILLS; kill++) {
                String current = base;
                int target = kill * JOBS / (KILLS + 1) - 3; // spread over the run: 9, 22, 34 of 50 done
                waitUntil(() -> historySize(current) >= target, current);
                server.toHandle().destroyForcibly(); // SIGKILL on Linux: no shutdown hook runs
                assertTrue(server.waitFor(30, TimeUnit.SECONDS));
                server = startServer();
                base = baseOf(server);
            }
            String last = base;
            waitUntil(() -> historySize(last) == JOBS && queueEmpty(last), last);

            JsonNode history = TestServer.JSON.readTree(get(last, "/history").body());
            Set<String> finished = new HashSet<>();
            for (var it = history.fields(); it.hasNext(); ) {
                var e = it.next();
                finished.add(e.getKey());
                assertEquals("success", e.getValue().get("status").get("status_str").asText(), e.getKey());
            }
            assertEquals(queued, finished, "every queued job completed, none lost, none twice");
            assertTrue(interrupted >= 1, "at least one kill landed while a job ran");

            Map<String, Integer> filesPerJob = new HashMap<>();
            List<Path> leftovers = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir.resolve("output"))) {
                for (Path f : files.toList()) {
                    if (f.getFileName().toString().startsWith(OutputFiles.STAGING_PREFIX)) {
                        leftovers.add(f);
                    } else {
                        filesPerJob.merge(Files.readString(f).strip(), 1, Integer::sum);
                    }
                }
            }
            assertEquals(List.of(), leftovers, "no staging files left");
            assertEquals(queued, filesPerJob.keySet(), "every job's file is there");
            filesPerJob.forEach((id, n) -> assertEquals(1, n, "job " + id + " wrote its file once"));
            System.out.printf("server kill test: %d kills, %d jobs re-run after a kill, %d files%n", KILLS, interrupted,
                    filesPerJob.size());
        } finally {
            server.toHandle().destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Process startServer() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ServerKillTestChild.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** Jobs the kills left running, as the restarted servers found them. */
    private int interrupted;

    private String baseOf(Process server) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("RUNNING ")) {
                interrupted += Integer.parseInt(line.substring(8).strip());
            } else if (line.startsWith("PORT ")) {
                return "http://127.0.0.1:" + line.substring(5).strip();
            }
        }
        throw new AssertionError("the server process ended before it listened (exit " + server.waitFor() + ")");
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitUntil(Condition condition, String base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting on " + base);
            Thread.sleep(5);
        }
    }

    private int historySize(String base) throws Exception {
        return TestServer.JSON.readTree(get(base, "/history").body()).size();
    }

    private boolean queueEmpty(String base) throws Exception {
        JsonNode q = TestServer.JSON.readTree(get(base, "/queue").body());
        return q.get("queue_running").isEmpty() && q.get("queue_pending").isEmpty();
    }

    private HttpResponse<String> get(String base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String base, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
