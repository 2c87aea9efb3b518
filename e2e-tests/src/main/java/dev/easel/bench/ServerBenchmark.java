package dev.easel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.caching.CacheSettings;
import dev.easel.caching.TieredOutputCache;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.exec.EngineSettings;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.schema.ObjectInfo;
import dev.easel.node.Folders;
import dev.easel.node.NodeEnvironment;
import dev.easel.node.RuntimeInfo;
import dev.easel.engine.models.FolderModelLibrary;
import dev.easel.engine.models.ModelFolders;
import dev.easel.runtime.Torch;
import dev.easel.runtime.TorchRuntime;
import dev.easel.server.EaselServer;
import dev.easel.server.store.JobStore;
import dev.easel.server.store.SqliteJobStore;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server's benchmarks (the server issue's targets), against the real {@link EaselServer} on loopback with the
 * durable SQLite store and the cache that {@code easel serve} uses, and the core nodes as the launcher loads them:
 *
 * <ol>
 *   <li>throughput: trivial prompts (a constant into an output node) POSTed by several keep-alive HTTP clients until
 *       the last one's final {@code executing {node: null}} arrived (sent after its history entry is committed);
 *       each with its own literal (no cache hits), and all identical (all cached); prompts/s, enqueue→done
 *       latency, and process CPU per job (clients included: they run in this JVM);
 *   <li>{@code GET /object_info} latency (full body, and the ETag's 304);
 *   <li>event latency: a node's {@code progress} call → the WebSocket client's receipt (same JVM, so both
 *       {@code nanoTime}s compare).
 * </ol>
 * Run with {@code e2e-tests/run-benchmarks.sh server}. The machine's load average is printed with the results:
 * other work on it shows up in every number here.
 */
@Command(name = "easel-server-bench", mixinStandardHelpOptions = true,
        description = "Server throughput, /object_info latency and WebSocket event latency.")
public final class ServerBenchmark implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--smoke", description = "Small sizes (seconds).")
    boolean smoke;

    @Option(names = "--jobs", description = "Prompts per throughput run (default: ${DEFAULT-VALUE}).")
    int jobs = 5000;

    @Option(names = "--clients", description = "Concurrent HTTP clients (default: ${DEFAULT-VALUE}).")
    int clients = 8;

    @Option(names = "--store-only", description = "Only the job store's own cost per job.")
    boolean storeOnly;

    @Option(names = "--out", description = "Where server-results.json and .md go (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("target", "benchmarks");

    private final ResultsTable results = new ResultsTable(52);
    private final Listener listener = new Listener();
    private String base;
    private int port;
    private String loadBefore;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServerBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (smoke) {
            jobs = Math.min(jobs, 300);
        }
        loadBefore = loadAverage();
        System.out.println("load average before: " + loadBefore + " (" + Runtime.getRuntime().availableProcessors()
                + " cores)");
        storeCost();
        if (storeOnly) {
            write();
            return 0;
        }
        Torch.load();
        RuntimeInfo runtime = TorchRuntime.fromSystemProperties();
        Path data = Files.createTempDirectory("easel-server-bench");
        Folders folders = Folders.of(data.resolve("output"), data.resolve("input"), data.resolve("temp"));
        NodeEnvironment environment = new NodeEnvironment(folders, new FolderModelLibrary(new ModelFolders(data)));
        NodeRegistry registry = NodeRegistry.fromClassPath(ServerBenchmark.class.getClassLoader(), environment);
        registry.register(new BenchNodes(), environment);
        registry.register(new ServerBenchNodes(), environment);
        CacheSettings cacheSettings = new CacheSettings(CacheSettings.GiB, 2 * CacheSettings.GiB, 8 * CacheSettings.GiB,
                8 * CacheSettings.GiB, data.resolve("cache"), true); // as easel serve (launcher Caches)
        try (TieredOutputCache cache = new TieredOutputCache(cacheSettings);
                Engine engine = new Engine(registry, cache, runtime, folders, EngineSettings.defaults());
                EaselServer server = new EaselServer(engine, runtime, environment,
                        SqliteJobStore.open(data.resolve("jobs.db")), null)) {
            port = server.start("127.0.0.1", 0, JobStore.Recovery.REQUEUE);
            base = "http://127.0.0.1:" + port;
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?clientId=bench"), listener)
                    .get(10, TimeUnit.SECONDS);
            objectInfo(registry);
            // The JIT keeps compiling the request path for several thousand jobs: warm both paths up first.
            throughput("warm-up", smoke ? 300 : 6000, true, false);
            throughput("warm-up", smoke ? 100 : 2000, false, false);
            throughput("distinct literals (no cache hits)", jobs, true, true);
            throughput("identical prompts (all cached)", jobs, false, true);
            eventLatency();
        }
        write();
        return 0;
    }

    // ------------------------------------------------------------------------------------------------ throughput

    private void throughput(String label, int n, boolean distinct, boolean report) throws Exception {
        String tag = Long.toString(System.nanoTime(), 36);
        String[] ids = new String[n];
        String[] bodies = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = "tp-" + tag + "-" + i;
            long a = distinct ? i : 7;
            bodies[i] = "{\"prompt\": {\"1\": {\"class_type\": \"BenchAdd\", \"inputs\": {\"a\": " + a + ", \"b\": 1}},"
                    + " \"2\": {\"class_type\": \"BenchSink\", \"inputs\": {\"value\": [\"1\", 0]}}},"
                    + " \"client_id\": \"bench\", \"prompt_id\": \"" + ids[i] + "\"}";
        }
        CountDownLatch done = listener.expect(List.of(ids));
        long[] posted = new long[n];
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        java.util.concurrent.atomic.AtomicLong clientCpu = new java.util.concurrent.atomic.AtomicLong();
        Map<String, Long> threadsBefore = threadCpu();
        long gcBefore = gcMillis();
        long jitBefore = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long cpuBefore = processCpuNanos();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int first = c;
            futures.add(pool.submit(() -> {
                long cpuStart = threads.getCurrentThreadCpuTime();
                try (KeepAliveClient http = new KeepAliveClient("127.0.0.1", port)) {
                    for (int i = first; i < n; i += clients) {
                        posted[i] = System.nanoTime();
                        KeepAliveClient.Response r = http.post("/prompt", bodies[i]);
                        if (r.status() != 200) {
                            throw new IllegalStateException("POST /prompt: " + r.status() + " " + r.body());
                        }
                    }
                }
                clientCpu.addAndGet(threads.getCurrentThreadCpuTime() - cpuStart);
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        long allPosted = System.nanoTime();
        pool.shutdown();
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException(label + ": " + done.getCount() + " prompts never finished");
        }
        long end = System.nanoTime();
        long cpu = processCpuNanos() - cpuBefore;
        Map<String, Long> threadsAfter = threadCpu();
        long gc = gcMillis() - gcBefore;
        long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitBefore;
        checkHistory(ids);
        if (!report) {
            return;
        }
        double seconds = (end - start) / 1e9;
        long[] latency = new long[n];
        for (int i = 0; i < n; i++) {
            latency[i] = listener.finishedAt(ids[i]) - posted[i];
        }
        Arrays.sort(latency);
        record("throughput, " + label, n, "prompts/s", n / seconds, "≥ 1000");
        record("  POST /prompt rate (" + clients + " clients)", n, "prompts/s", n / ((allPosted - start) / 1e9), "");
        record("  enqueue → done p50", n, "ms", latency[n / 2] / 1e6, "");
        record("  enqueue → done p99", n, "ms", latency[(int) (n * 0.99)] / 1e6, "");
        record("  process CPU per job (server + clients)", n, "ms", cpu / 1e6 / n, "");
        record("  of which the clients' threads", n, "ms", clientCpu.get() / 1e6 / n, "");
        long serverCpu = 0;
        long runnerCpu = 0;
        for (Map.Entry<String, Long> e : threadsAfter.entrySet()) {
            long used = e.getValue() - threadsBefore.getOrDefault(e.getKey(), 0L);
            if (isServerThread(e.getKey())) {
                serverCpu += used;
            }
            if (e.getKey().equals("easel-job-runner")) {
                runnerCpu = used;
            }
        }
        record("  server threads' CPU per job (no JIT, GC, clients)", n, "ms", serverCpu / 1e6 / n,
                "≤ 2 for 1000/s on 2 cores");
        record("  of which the job runner (one thread: the ceiling)", n, "ms", runnerCpu / 1e6 / n,
                String.format("%.0f jobs/s", runnerCpu == 0 ? 0 : 1e9 * n / runnerCpu));
        StringBuilder split = new StringBuilder("  CPU µs per job by thread:");
        threadsAfter.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - threadsBefore.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .forEach(e -> split.append(String.format(" %s %.0f,", e.getKey(), e.getValue() / 1e3 / n)));
        System.out.println(split + String.format(" GC pauses %.0f, JIT %.0f", gc * 1e3 / n, jit * 1e3 / n));
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
    }

    /** Not the benchmark's own: its HTTP clients (pool-*), its WebSocket client (JDK HttpClient-*), main. */
    private static boolean isServerThread(String group) {
        return !group.startsWith("pool-") && !group.startsWith("HttpClient-") && !group.equals("main");
    }

    /** CPU time of the live threads, summed by name with digits removed (a pool's threads together). */
    private static Map<String, Long> threadCpu() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> byGroup = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) {
                byGroup.merge(info.getThreadName().replaceAll("[0-9]+", "#"), cpu, Long::sum);
            }
        }
        return byGroup;
    }

    /** Every prompt is in the history, successful (checked on a sample, and the count over all). */
    private void checkHistory(String[] ids) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (String id : List.of(ids[0], ids[ids.length / 2], ids[ids.length - 1])) {
            JsonNode entry = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/history/" + id))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).get(id);
            if (entry == null || !"success".equals(entry.path("status").path("status_str").asText())) {
                throw new IllegalStateException("prompt " + id + " did not succeed: " + entry);
            }
        }
        JsonNode queue = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/prompt")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        if (queue.path("exec_info").path("queue_remaining").asInt() != 0) {
            throw new IllegalStateException("queue not empty after the run: " + queue);
        }
    }

    /**
     * The durable store alone, one thread: a job's whole life (number, enqueue, claim, finish with a history entry
     * of a trivial job's size), as the server does it.
     */
    private void storeCost() throws Exception {
        Path dir = Files.createTempDirectory("easel-store-bench");
        String prompt = "{\"1\":{\"class_type\":\"BenchAdd\",\"inputs\":{\"a\":1,\"b\":1}},"
                + "\"2\":{\"class_type\":\"BenchSink\",\"inputs\":{\"value\":[\"1\",0]}}}";
        String history = "{\"prompt\":[0,\"x\"," + prompt + ",{\"client_id\":\"bench\",\"create_time\":1},[\"2\"]],"
                + "\"outputs\":{\"2\":{\"text\":[\"2\"]}},\"status\":{\"status_str\":\"success\",\"completed\":true,"
                + "\"messages\":[[\"execution_start\",{\"prompt_id\":\"x\",\"timestamp\":1}],[\"execution_success\","
                + "{\"prompt_id\":\"x\",\"timestamp\":2}]]},\"meta\":{}}";
        int n = smoke ? 2000 : 10_000;
        String extra = "{\"client_id\":\"bench\",\"create_time\":1}";
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            long[] perJob = new long[2];
            store.enqueueNumbered(new JobStore.Job("first", 0, prompt, extra, "bench", List.of("2"), 1), false);
            JobStore.Job running = store.claimNext().orElseThrow();
            for (int pass = 0; pass < 2; pass++) { // the first pass warms up
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    store.enqueueNumbered(new JobStore.Job("s" + pass + "-" + i, 0, prompt, extra, "bench",
                            List.of("2"), 1), false); // POST /prompt
                    store.remaining(); // its status broadcast
                    running = store.finishAndClaimNext(running.promptId(), history, 2).orElseThrow(); // the runner
                    store.remaining(); // its status broadcast
                }
                perJob[pass] = (System.nanoTime() - start) / n;
            }
            record("store: the server's steps per job (2 commits, 2 counts)", n, "µs/job", perJob[1] / 1e3,
                    "SQLite WAL, synchronous=NORMAL");
        }
    }

    // ------------------------------------------------------------------------------------------------ object_info

    private void objectInfo(NodeRegistry registry) throws Exception {
        long renderStart = System.nanoTime();
        byte[] rendered = JSON.writeValueAsBytes(ObjectInfo.render(registry));
        double renderMs = (System.nanoTime() - renderStart) / 1e6;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/object_info")).build();
        long coldStart = System.nanoTime();
        HttpResponse<byte[]> first = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        double coldMs = (System.nanoTime() - coldStart) / 1e6;
        int nodes = JSON.readTree(first.body()).size();
        String etag = first.headers().firstValue("ETag").orElseThrow();
        int reps = smoke ? 100 : 1000;
        for (int i = 0; i < reps / 5; i++) {
            http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        }
        long[] full = new long[reps];
        long[] notModified = new long[reps];
        HttpRequest conditional = HttpRequest.newBuilder(URI.create(base + "/object_info"))
                .header("If-None-Match", etag).build();
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            full[i] = System.nanoTime() - t;
            if (r.statusCode() != 200 || r.body().length != first.body().length) {
                throw new IllegalStateException("object_info changed: " + r.statusCode());
            }
            t = System.nanoTime();
            int status = http.send(conditional, HttpResponse.BodyHandlers.discarding()).statusCode();
            notModified[i] = System.nanoTime() - t;
            if (status != 304) {
                throw new IllegalStateException("If-None-Match gave " + status);
            }
        }
        Arrays.sort(full);
        Arrays.sort(notModified);
        String size = nodes + " nodes, " + first.body().length / 1024 + " KiB";
        record("/object_info render + serialise (once, at start)", nodes, "ms", renderMs, size);
        record("/object_info first request", nodes, "ms", coldMs, "");
        record("/object_info p50", nodes, "ms", full[reps / 2] / 1e6, "< 5");
        record("/object_info p99", nodes, "ms", full[(int) (reps * 0.99)] / 1e6, "");
        record("/object_info with If-None-Match (304) p50", nodes, "ms", notModified[reps / 2] / 1e6, "");
        if (rendered.length == 0) {
            throw new IllegalStateException("empty object_info");
        }
    }

    // ------------------------------------------------------------------------------------------------ events

    private void eventLatency() throws Exception {
        int steps = 200;
        int runs = smoke ? 2 : 10;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<Long> latencies = new ArrayList<>();
        int sent = 0;
        for (int run = -1; run < runs; run++) { // run -1 warms up
            String id = "ev-" + System.nanoTime();
            String body = "{\"prompt\": {\"1\": {\"class_type\": \"BenchProgress\", \"inputs\": {\"steps\": " + steps
                    + ", \"pause_us\": 2000, \"seed\": " + System.nanoTime() % 1_000_000 + "}},"
                    + " \"2\": {\"class_type\": \"BenchSink\", \"inputs\": {\"value\": [\"1\", 0]}}},"
                    + " \"client_id\": \"bench\", \"prompt_id\": \"" + id + "\"}";
            CountDownLatch done = listener.expect(List.of(id));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/prompt"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("POST /prompt: " + r.body());
            }
            if (!done.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("event run never finished");
            }
            if (run < 0) {
                continue;
            }
            for (int step = 1; step <= steps; step++) {
                String key = id + ":" + step;
                Long at = ServerBenchNodes.SENT.get(key);
                Long received = listener.progress.get(key);
                if (at != null) {
                    sent++;
                }
                if (at != null && received != null) {
                    latencies.add(received - at);
                }
            }
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            throw new IllegalStateException("no progress event arrived");
        }
        String what = sorted.length + " of " + sent + " progress calls arrived";
        record("event latency progress() → WebSocket p50", sorted.length, "ms", sorted[sorted.length / 2] / 1e6, "< 5");
        record("event latency p99", sorted.length, "ms", sorted[(int) (sorted.length * 0.99)] / 1e6, what);
        record("event latency max", sorted.length, "ms", sorted[sorted.length - 1] / 1e6, "");
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    /** The one WebSocket client: when each prompt's final {@code executing} and each progress event arrived. */
    private static final class Listener implements WebSocket.Listener {
        final Map<String, Long> finished = new ConcurrentHashMap<>();
        final Map<String, Long> progress = new ConcurrentHashMap<>();
        private final AtomicReference<Expectation> waiting = new AtomicReference<>();
        private final StringBuilder partial = new StringBuilder();

        private record Expectation(java.util.Set<String> ids, CountDownLatch latch) {
        }

        CountDownLatch expect(List<String> ids) {
            CountDownLatch latch = new CountDownLatch(ids.size());
            waiting.set(new Expectation(ConcurrentHashMap.newKeySet(ids.size()), latch));
            waiting.get().ids().addAll(ids);
            return latch;
        }

        long finishedAt(String id) {
            return finished.get(id);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    handle(text, now);
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }
            ws.request(1);
            return null;
        }

        private void handle(String text, long now) throws Exception {
            if (text.startsWith("{\"type\":\"executing\"") && text.contains("\"node\":null")) {
                String id = JSON.readTree(text).path("data").path("prompt_id").asText();
                finished.put(id, now);
                Expectation e = waiting.get();
                if (e != null && e.ids().remove(id)) {
                    e.latch().countDown();
                }
            } else if (text.startsWith("{\"type\":\"progress\"")) {
                JsonNode d = JSON.readTree(text).path("data");
                progress.put(d.path("prompt_id").asText() + ":" + d.path("value").asLong(), now);
            }
        }
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private void record(String name, int size, String unit, double value, String target) {
        results.record(name, size, unit, value, target);
    }

    private void write() throws Exception {
        String loadAfter = loadAverage();
        System.out.println("load average after: " + loadAfter);
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                "java", System.getProperty("java.version"), "load_before", loadBefore, "load_after", loadAfter));
        facts.put("smoke", smoke);
        facts.put("clients", clients);
        results.write(out, "server-results", facts, "load average before: " + loadBefore + "; after: " + loadAfter,
                JSON);
    }
}
