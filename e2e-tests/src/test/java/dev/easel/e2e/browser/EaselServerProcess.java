package dev.easel.e2e.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.launcher.EaselCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code easel serve} as its own process (as people start it) on a free loopback port, with its output copied to a
 * log file for whoever reads a failed run, and a small JSON client for the checks the browser cannot make.
 */
public final class EaselServerProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on (http://[^ ]+)");

    private final Process process;
    private final String baseUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    private EaselServerProcess(Process process, String baseUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
    }

    /** Starts the server on {@code dataDir} and returns once it listens; its output goes to {@code log}. */
    public static EaselServerProcess start(Path dataDir, Path log) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path")));
        // the shipped model and workflows where this test run has them (surefire's easel.bundled.*)
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("easel.bundled.")) {
                command.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        command.addAll(List.of(EaselCli.class.getName(), "serve", "--port", "0", "--data-dir", dataDir.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> listening = new CompletableFuture<>();
        Files.createDirectories(log.getParent());
        Thread copier = new Thread(() -> copyOutput(process, log, listening), "easel-serve-output");
        copier.setDaemon(true);
        copier.start();
        try {
            return new EaselServerProcess(process, listening.get(120, TimeUnit.SECONDS));
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            process.destroyForcibly();
            throw new AssertionError("easel serve did not start listening; see " + log, e);
        }
    }

    /** Keeps the pipe drained (a full pipe would stall the server) and notes the address it listens on. */
    private static void copyOutput(Process process, Path log, CompletableFuture<String> listening) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); Writer file = Files.newBufferedWriter(log)) {
            String line;
            while ((line = out.readLine()) != null) {
                file.write(line);
                file.write('\n');
                file.flush();
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    listening.complete(m.group(1));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the server ended
        }
        listening.completeExceptionally(new IllegalStateException("easel serve ended before it listened"));
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return baseUrl;
    }

    /** GET {@code path} as JSON; fails on any status but 200. */
    public JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** POST a JSON body to {@code path}; fails on any status but 200. */
    public void postJson(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("POST " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }

    /** The number of running plus pending jobs in {@code GET /queue}. */
    public int jobsInQueue() throws IOException, InterruptedException {
        JsonNode queue = getJson("/queue");
        return queue.path("queue_running").size() + queue.path("queue_pending").size();
    }

    /** Waits until no job runs or waits; fails after {@code seconds}. */
    public void awaitIdle(int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (jobsInQueue() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the queue did not drain in " + seconds + " s: " + getJson("/queue"));
            }
            Thread.sleep(100);
        }
    }

    /** Ends what a failed test left behind: pending jobs removed, the running one interrupted. */
    public void clearQueue() throws IOException, InterruptedException {
        postJson("/queue", "{\"clear\": true}");
        postJson("/interrupt", "{}");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: the server's shutdown hook closes its store
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
