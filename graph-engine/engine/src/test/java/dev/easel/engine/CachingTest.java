package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.event.RunEvent;
import dev.easel.engine.exec.EngineSettings;
import dev.easel.engine.exec.RunResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's side of caching: keys, early cutoff, volatile and file-backed nodes, honest events. */
class CachingTest {

    private final Harness.MapCache cache = new Harness.MapCache();
    private final Harness h = new Harness(cache, EngineSettings.sequential());

    @AfterEach
    void close() {
        h.close();
    }

    private static String sampler(long seed) {
        return """
                {"4": {"class_type": "MakeHandle", "inputs": {"value": 7}},
                 "5": {"class_type": "HandleValue", "inputs": {"h": ["4", 0]}},
                 "3": {"class_type": "Add", "inputs": {"a": ["5", 0], "b": %d}},
                 "8": {"class_type": "Add", "inputs": {"a": ["3", 0], "b": 1000}},
                 "9": {"class_type": "Show", "inputs": {"value": ["8", 0]}}}""".formatted(seed);
    }

    @Test
    void sameWorkflowTwiceRunsNothingTheSecondTime() {
        assertEquals(List.of("4", "5", "3", "8", "9"), h.run(sampler(1)).executed());
        RunResult again = h.run(sampler(1));
        assertTrue(again.executed().isEmpty(), again.executed().toString());
        assertEquals(List.of("1008"), Harness.text(again, "9"));
    }

    @Test
    void changingTheSeedRerunsOnlyTheSamplerAndWhatIsBelowIt() {
        h.run(sampler(1));
        RunResult r = h.run(sampler(2));
        assertEquals(List.of("3", "8", "9"), r.executed());
        assertEquals(List.of("4", "5"), r.cached());
        assertEquals(List.of("1009"), Harness.text(r, "9"));
    }

    @Test
    void aChangedLiteralWithAnIdenticalOutputKeepsItsDescendantsCached() {
        String template = """
                {"1": {"class_type": "Add", "inputs": {"a": %d, "b": %d}},
                 "2": {"class_type": "Slow", "inputs": {"steps": 1, "millis": 0, "tag": "x"}},
                 "3": {"class_type": "Add", "inputs": {"a": ["1", 0], "b": ["2", 0]}},
                 "4": {"class_type": "Add", "inputs": {"a": ["3", 0], "b": 1}},
                 "9": {"class_type": "Show", "inputs": {"value": ["4", 0]}}}""";
        h.run(template.formatted(1, 2));
        RunResult r = h.run(template.formatted(2, 1)); // 2+1 == 1+2
        assertEquals(List.of("1"), r.executed(), "only the changed node runs; its equal output cuts off the rest");
        assertEquals(List.of("5"), Harness.text(r, "9"));
        List<RunEvent.ExecutionCached> cachedEvents = h.events.stream()
                .filter(e -> e instanceof RunEvent.ExecutionCached).map(e -> (RunEvent.ExecutionCached) e).toList();
        assertEquals(List.of("2"), cachedEvents.get(0).nodes(), "known hits are reported at the start");
        assertEquals(List.of(List.of("3"), List.of("4"), List.of("9")),
                cachedEvents.subList(1, cachedEvents.size()).stream().map(RunEvent.ExecutionCached::nodes).toList(),
                "hits found after the cutoff are reported as they happen");

        RunResult different = h.run(template.formatted(2, 2));
        assertEquals(List.of("1", "3", "4", "9"), different.executed());
    }

    @Test
    void volatileNodesRerunButEqualOutputsStillReachTheCacheBelowThem() {
        String json = """
                {"1": {"class_type": "Volatile", "inputs": {"value": %d}},
                 "2": {"class_type": "Add", "inputs": {"a": ["1", 0], "b": 1}},
                 "9": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""";
        h.run(json.formatted(5));
        RunResult same = h.run(json.formatted(5));
        assertEquals(List.of("1"), same.executed(), "a never-cache node always runs");
        RunResult changed = h.run(json.formatted(6));
        assertEquals(List.of("1", "2", "9"), changed.executed());
    }

    @Test
    void fileBackedNodesKeyOnTheFilesContent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prompt.txt");
        Files.writeString(file, "a red fox");
        String json = """
                {"1": {"class_type": "ReadFile", "inputs": {"path": "%s"}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""".formatted(
                file.toString().replace("\\", "\\\\"));
        assertEquals(List.of("a red fox"), Harness.text(h.run(json), "9"));
        assertTrue(h.run(json).executed().isEmpty(), "unchanged file: cached");
        Files.writeString(file, "a blue fox");
        RunResult changed = h.run(json);
        assertEquals(List.of("1", "9"), changed.executed());
        assertEquals(List.of("a blue fox"), Harness.text(changed, "9"));
    }

    @Test
    void outputNodesCanBeMadeToRunEveryTime() {
        try (Harness cli = new Harness(new Harness.MapCache(), EngineSettings.sequential().withReuseOutputNodes(false))) {
            cli.run(sampler(1));
            RunResult again = cli.run(sampler(1));
            assertEquals(List.of("9"), again.executed(), "only the output node runs; its inputs come from the cache");
            assertEquals(List.of("1008"), Harness.text(again, "9"));
        }
    }

    @Test
    void keysDoNotDependOnNodeIdsOrInputOrder() {
        h.run("""
                {"1": {"class_type": "Add", "inputs": {"a": 1, "b": 2}},
                 "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
        RunResult r = h.run("""
                {"x": {"class_type": "Add", "inputs": {"b": 2, "a": 1}},
                 "y": {"class_type": "Show", "inputs": {"value": ["x", 0]}}}""");
        assertTrue(r.executed().isEmpty());
    }
}
