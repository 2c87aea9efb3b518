package dev.easel.bench;

import dev.easel.caching.CacheSettings;
import dev.easel.caching.TieredOutputCache;
import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.exec.CancellationToken;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.exec.EngineSettings;
import dev.easel.engine.exec.RunRequest;
import dev.easel.engine.exec.RunResult;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
import dev.easel.engine.workflow.Workflow;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.node.Folders;
import dev.easel.runtime.Torch;
import dev.easel.runtime.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Easel's engine benchmarks (performance.md B2 and the native-memory loop of the foundation issue). Prints a markdown
 * table and writes {@code results.json} and {@code results.md}. Run with {@code e2e-tests/run-benchmarks.sh}.
 */
@Command(name = "easel-bench", mixinStandardHelpOptions = true,
        description = "Engine overhead, parse+validate and native-memory benchmarks.")
public final class BenchmarkRunner implements Callable<Integer> {

    @Option(names = "--smoke", description = "Small sizes and few repetitions (seconds, for CI).")
    boolean smoke;

    @Option(names = "--out", description = "Where results.json and results.md go (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("target", "benchmarks");

    private final ResultsTable results = new ResultsTable(48);
    private Engine sequential;
    private Engine parallel;
    private TorchRuntime runtime;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchmarkRunner()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Torch.load();
        runtime = TorchRuntime.fromSystemProperties();
        NodeRegistry registry = new NodeRegistry();
        registry.register(new BenchNodes());
        Path scratch = Files.createTempDirectory("easel-bench");
        Folders folders = Folders.of(scratch, scratch, scratch);
        sequential = new Engine(registry, OutputCache.NONE, runtime, folders, EngineSettings.sequential());
        parallel = new Engine(registry, OutputCache.NONE, runtime, folders, EngineSettings.defaults());
        try {
            nativeMemoryLoop(); // first, so the RSS it reports is not the heap grown by the big graphs
            engineOverhead();
            parseAndValidate();
            cacheOverhead(registry, folders);
        } finally {
            sequential.close();
            parallel.close();
        }
        write();
        return 0;
    }

    /** B2: per-node execution time on chains and a fan-out/fan-in DAG of trivial nodes. */
    private void engineOverhead() throws Exception {
        int[] sizes = smoke ? new int[] {100, 1_000} : new int[] {100, 1_000, 10_000};
        Map<Integer, Double> chainMicros = new LinkedHashMap<>();
        for (int n : sizes) {
            ValidationResult v = validate(Workflows.chain(n));
            double micros = perNodeMicros(sequential, v, n);
            chainMicros.put(n, micros);
            record("engine overhead, chain, sequential", n, "µs/node", micros, "≤ 20");
            record("engine overhead, chain, parallel scheduler", n, "µs/node", perNodeMicros(parallel, v, n), "≤ 20");
        }
        int largest = sizes[sizes.length - 1];
        double scaling = chainMicros.get(largest) * largest / (chainMicros.get(largest / 10) * (largest / 10.0));
        record("scaling t(" + largest + ")/t(" + largest / 10 + ")", largest, "ratio", scaling, "≤ 12");
        ValidationResult fan = validate(Workflows.fanOutFanIn(largest, 16));
        int fanSize = fan.workflow().nodes().size();
        record("engine overhead, fan-out/fan-in, sequential", fanSize, "µs/node", perNodeMicros(sequential, fan, fanSize), "≤ 20");
        record("engine overhead, fan-out/fan-in, parallel", fanSize, "µs/node", perNodeMicros(parallel, fan, fanSize), "≤ 20");
    }

    private double perNodeMicros(Engine engine, ValidationResult v, int n) {
        int reps = smoke ? 3 : (n >= 10_000 ? 10 : 30);
        for (int i = 0; i < Math.max(2, reps / 3); i++) {
            runOnce(engine, v);
        }
        long[] nanos = new long[reps];
        for (int i = 0; i < reps; i++) {
            long start = System.nanoTime();
            runOnce(engine, v);
            nanos[i] = System.nanoTime() - start;
        }
        return median(nanos) / 1_000.0 / n;
    }

    private void runOnce(Engine engine, ValidationResult v) {
        RunResult r = engine.run(new RunRequest("bench", v.workflow(), Map.of()), e -> { }, new CancellationToken());
        if (!r.succeeded()) {
            throw new IllegalStateException("benchmark run failed: " + r.failure().data());
        }
    }

    /**
     * Caching (issue 3): a fully cached re-run of a 50-node tensor workflow, and the per-node cost of keys + lookups
     * on a fully cached chain, with the real {@link TieredOutputCache} (RAM tier).
     */
    private void cacheOverhead(NodeRegistry registry, Folders folders) throws Exception {
        try (TieredOutputCache cache = new TieredOutputCache(CacheSettings.defaults());
             Engine cached = new Engine(registry, cache, runtime, folders, EngineSettings.sequential())) {
            ValidationResult fifty = cached.validate(WorkflowParser.parse(Workflows.tensorChains(5, 8)),
                    ValidationOptions.STRICT);
            int nodes = fifty.workflow().nodes().size();
            runOnce(cached, fifty);
            int reps = smoke ? 50 : 500;
            long[] nanos = new long[reps];
            for (int i = 0; i < reps; i++) {
                long start = System.nanoTime();
                RunResult r = cached.run(new RunRequest("bench", fifty.workflow(), Map.of()), e -> { },
                        new CancellationToken());
                nanos[i] = System.nanoTime() - start;
                if (!r.executed().isEmpty()) {
                    throw new IllegalStateException("a cached re-run executed " + r.executed());
                }
            }
            record("cache: fully cached re-run, tensor workflow", nodes, "ms", median(nanos) / 1e6, "< 2");

            int n = smoke ? 1_000 : 10_000;
            ValidationResult chain = cached.validate(WorkflowParser.parse(Workflows.chain(n)), ValidationOptions.STRICT);
            runOnce(cached, chain);
            record("cache: keys + lookups, fully cached chain", n, "µs/node", perNodeMicros(cached, chain, n), "< 10");
            String changed = Workflows.chain(n).replace("\"b\":1}", "\"b\":2}"); // every key changes
            ValidationResult fresh = cached.validate(WorkflowParser.parse(changed), ValidationOptions.STRICT);
            long start = System.nanoTime();
            runOnce(cached, fresh);
            record("cache: first run of a chain with the cache on (hash + store)", n, "µs/node",
                    (System.nanoTime() - start) / 1e3 / n, "");
        }
    }

    /** Parse + strict validation of a large workflow. */
    private void parseAndValidate() throws Exception {
        int n = smoke ? 1_000 : 10_000;
        String json = Workflows.chain(n);
        int reps = smoke ? 5 : 20;
        for (int i = 0; i < 5; i++) {
            validate(json);
        }
        long[] parse = new long[reps];
        long[] total = new long[reps];
        for (int i = 0; i < reps; i++) {
            long start = System.nanoTime();
            Workflow wf = WorkflowParser.parse(json);
            long parsed = System.nanoTime();
            ValidationResult v = sequential.validate(wf, ValidationOptions.STRICT);
            long done = System.nanoTime();
            if (!v.isValid()) {
                throw new IllegalStateException("benchmark workflow invalid: " + v.toJson());
            }
            parse[i] = parsed - start;
            total[i] = done - start;
        }
        record("parse", n, "ms", median(parse) / 1e6, "");
        record("parse + validate", n, "ms", median(total) / 1e6, n == 10_000 ? "≤ 200" : "");
    }

    /** RSS across many runs of a small tensor graph: must stay flat (no native leak). */
    private void nativeMemoryLoop() throws Exception {
        int runs = smoke ? 1_000 : 10_000;
        List<ValidationResult> graphs = new ArrayList<>();
        for (int s = 0; s < 7; s++) {
            graphs.add(validate(Workflows.tensorGraph(s)));
        }
        for (int i = 0; i < Math.max(200, runs / 10); i++) { // warm-up: JIT, allocator arenas
            runOnce(sequential, graphs.get(i % graphs.size()));
        }
        long before = runtime.hostResidentBytes();
        List<Long> samples = new ArrayList<>(List.of(before));
        long start = System.nanoTime();
        for (int i = 1; i <= runs; i++) {
            runOnce(sequential, graphs.get(i % graphs.size()));
            if (i % (runs / 4) == 0) {
                samples.add(runtime.hostResidentBytes());
            }
        }
        double perRunMs = (System.nanoTime() - start) / 1e6 / runs;
        long after = runtime.hostResidentBytes();
        record("tensor graph runs (6 nodes, 64 KiB tensors)", runs, "ms/run", perRunMs, "");
        record("RSS growth over the loop", runs, "MiB", (after - before) / 1048576.0, "a leak of the graph's "
                + "tensors would add " + (runs * 4L * 64 / 1024) + " MiB");
        record("RSS growth over the second half", runs / 2, "MiB", (after - samples.get(2)) / 1048576.0, "≈ 0 (flat)");
        record("RSS spread over the loop (max - min)", runs, "MiB",
                (samples.stream().mapToLong(x -> x).max().orElse(0) - samples.stream().mapToLong(x -> x).min().orElse(0))
                        / 1048576.0, "RSS MiB at 0, 1/4 ... 4/4: " + samples.stream()
                        .map(b -> String.format("%.1f", b / 1048576.0)).toList());
    }

    private ValidationResult validate(String json) throws Exception {
        ValidationResult v = sequential.validate(WorkflowParser.parse(json), ValidationOptions.STRICT);
        if (!v.isValid()) {
            throw new IllegalStateException("benchmark workflow invalid: " + v.toJson());
        }
        return v;
    }

    private void record(String name, int size, String unit, double value, String target) {
        results.record(name, size, unit, value, target);
    }

    private void write() throws Exception {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "device", runtime.device(),
                "java", System.getProperty("java.version")));
        facts.put("smoke", smoke);
        results.write(out, "results", facts, "", WorkflowParser.mapper());
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
