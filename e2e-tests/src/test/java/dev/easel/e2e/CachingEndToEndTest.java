package dev.easel.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.node.Folders;
import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodePack;
import dev.easel.node.NodeSchema;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.Torch;
import dev.easel.runtime.TorchRuntime;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine with the real tiered cache and real tensors: the caching issue's end-to-end guarantees. */
class CachingEndToEndTest {

    /** Nodes whose cost is deterministic enough for the cache's "worth keeping on disk" rule. */
    static final class SlowNodes implements NodePack {
        @Override
        public String id() {
            return "e2e-slow";
        }

        @Override
        public List<Node> nodes() {
            return List.of(new Node() {
                public NodeSchema schema() {
                    return NodeSchema.builder("SlowTensor").required(InputSpec.integer("seed"))
                            .output("TENSOR").build();
                }

                public NodeOutput execute(NodeInputs in, NodeContext ctx) throws Exception {
                    Thread.sleep(30); // stands in for an expensive model call
                    return NodeOutput.of(TensorRef.of(torch.ones(4, 64, 64).mul(new Scalar(in.getLong("seed")))));
                }
            }, new Node() {
                public NodeSchema schema() {
                    return NodeSchema.builder("TensorSum").required(InputSpec.of("x", "TENSOR")).outputNode().build();
                }

                public NodeOutput execute(NodeInputs in, NodeContext ctx) {
                    double sum = in.get("x", TensorRef.class).tensor().sum().item().toDouble();
                    return NodeOutput.none().withUi("text", List.of(Double.toString(sum)));
                }
            });
        }
    }

    @TempDir
    Path dir;

    @BeforeAll
    static void loadTorch() {
        Torch.load();
    }

    private Engine engine(OutputCache cache) {
        NodeRegistry registry = new NodeRegistry();
        registry.register(new SlowNodes());
        Folders folders = Folders.of(dir, dir, dir);
        return new Engine(registry, cache, TorchRuntime.fromSystemProperties(), folders, EngineSettings.sequential());
    }

    private static RunResult run(Engine engine, long seed) throws Exception {
        ValidationResult v = engine.validate(WorkflowParser.parse("""
                {"1": {"class_type": "SlowTensor", "inputs": {"seed": %d}},
                 "2": {"class_type": "TensorSum", "inputs": {"x": ["1", 0]}}}""".formatted(seed)),
                ValidationOptions.STRICT);
        RunResult r = engine.run(new RunRequest("t", v.workflow(), Map.of()), e -> { }, new CancellationToken());
        assertTrue(r.succeeded(), () -> String.valueOf(r.failure()));
        assertEquals(List.of(Double.toString(seed * 4 * 64 * 64.0)), r.outputs().get("2").get("text"));
        return r;
    }

    private CacheSettings withDisk() {
        return new CacheSettings(0, 64 * CacheSettings.MiB, 64 * CacheSettings.MiB, 0, dir.resolve("cache"), true);
    }

    @Test
    void twoWorkflowsAlternatingWithinTheBudgetBothStayCached() throws Exception {
        try (TieredOutputCache cache = new TieredOutputCache(new CacheSettings(0, 8 * CacheSettings.MiB, 0, 0, null));
             Engine engine = engine(cache)) {
            run(engine, 1);
            run(engine, 2);
            for (int i = 0; i < 3; i++) {
                assertTrue(run(engine, 1).executed().isEmpty());
                assertTrue(run(engine, 2).executed().isEmpty());
            }
        }
    }

    @Test
    void afterARestartTheDiskTierServesThePreviousRunsIntermediates() throws Exception {
        try (TieredOutputCache cache = new TieredOutputCache(withDisk()); Engine engine = engine(cache)) {
            assertEquals(List.of("1", "2"), run(engine, 3).executed());
        }
        try (TieredOutputCache restarted = new TieredOutputCache(withDisk()); Engine engine = engine(restarted)) {
            RunResult r = run(engine, 3);
            assertTrue(r.cached().contains("1"), "the slow tensor comes from disk: " + r.cached());
            assertFalse(r.executed().contains("1"));
        }
    }

    @Test
    void aCorruptedDiskEntryIsDiscardedAndRecomputedNeverServed() throws Exception {
        try (TieredOutputCache cache = new TieredOutputCache(withDisk()); Engine engine = engine(cache)) {
            run(engine, 5);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir.resolve("cache"))) {
            files = walk.filter(p -> p.toString().endsWith(".safetensors")).toList();
        }
        assertFalse(files.isEmpty());
        for (Path file : files) {
            flipLastByte(file);
        }
        try (TieredOutputCache restarted = new TieredOutputCache(withDisk()); Engine engine = engine(restarted)) {
            RunResult r = run(engine, 5); // asserts the sum is right, i.e. no corrupted tensor was used
            assertTrue(r.executed().contains("1"), "the corrupted entry is recomputed: " + r.executed());
        }
    }

    private static void flipLastByte(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length() - 1);
            int b = raf.read();
            raf.seek(raf.length() - 1);
            raf.write(b ^ 0xFF);
        }
    }
}
