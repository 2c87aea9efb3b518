package dev.easel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.easel.runtime.Torch;
import dev.easel.runtime.TorchRuntime;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real libtorch tensors through the engine: every run frees what it made, so RSS stays flat over many runs. */
class NativeMemoryTest {

    @TempDir
    Path dir;

    @Test
    void rssStaysFlatOverThousandsOfTensorRuns() throws Exception {
        Torch.load();
        TorchRuntime runtime = TorchRuntime.fromSystemProperties();
        NodeRegistry registry = new NodeRegistry();
        registry.register(new BenchNodes());
        Folders folders = Folders.of(dir, dir, dir);
        try (Engine engine = new Engine(registry, OutputCache.NONE, runtime, folders, new EngineSettings(2))) {
            ValidationResult v = engine.validate(WorkflowParser.parse(Workflows.tensorGraph(3)), ValidationOptions.STRICT);
            assertTrue(v.isValid(), () -> v.toJson().toString());
            RunResult first = run(engine, v);
            // x = 4·randn; node 8 = (2x+1)·2+1 has mean ≈ 3, node 9 = 2x+1 has mean ≈ 1 (std of the mean ≈ 0.13).
            assertEquals(3.0, Double.parseDouble((String) first.outputs().get("8").get("text").get(0)), 0.6);
            assertEquals(1.0, Double.parseDouble((String) first.outputs().get("9").get("text").get(0)), 0.3);
            for (int i = 0; i < 1000; i++) { // warm-up: JIT, allocator arenas, heap sizing
                run(engine, v);
            }
            long before = runtime.hostResidentBytes();
            for (int i = 0; i < 3000; i++) {
                run(engine, v);
            }
            long grownMiB = (runtime.hostResidentBytes() - before) >> 20;
            System.out.println("NativeMemoryTest: RSS grew " + grownMiB + " MiB over 3000 runs");
            // Each run makes 4 tensors of 64 KiB: a leak would add 750 MiB here; flat means a few MiB of noise.
            assertTrue(grownMiB < 64, "RSS grew by " + grownMiB + " MiB over 3000 runs");
        }
    }

    private static RunResult run(Engine engine, ValidationResult v) {
        RunResult r = engine.run(new RunRequest("t", v.workflow(), Map.of()), e -> { }, new CancellationToken());
        assertTrue(r.succeeded(), () -> String.valueOf(r.failure()));
        return r;
    }
}
