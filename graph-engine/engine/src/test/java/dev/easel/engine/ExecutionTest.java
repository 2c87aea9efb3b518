package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.event.RunEvent;
import dev.easel.engine.exec.CancellationToken;
import dev.easel.engine.exec.EngineSettings;
import dev.easel.engine.exec.RunResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExecutionTest {

    @Test
    void runsOnlyWhatTheOutputsNeedAndEachNodeOnce() {
        try (Harness h = new Harness()) {
            RunResult r = h.run("""
                    {"1": {"class_type": "Const", "inputs": {"value": 2}},
                     "2": {"class_type": "Add", "inputs": {"a": ["1", 0], "b": 3}},
                     "3": {"class_type": "Add", "inputs": {"a": ["1", 0], "b": 10}},
                     "4": {"class_type": "Add", "inputs": {"a": ["2", 0], "b": ["3", 0]}},
                     "5": {"class_type": "Const", "inputs": {"value": 99}},
                     "6": {"class_type": "Add", "inputs": {"a": ["5", 0], "b": 1}},
                     "9": {"class_type": "Show", "inputs": {"value": ["4", 0]}}}""");
            assertTrue(r.succeeded(), () -> String.valueOf(r.failure()));
            assertEquals(List.of("17"), Harness.text(r, "9"));
            assertEquals(1, TestNodes.calls("1"), "a shared upstream runs once");
            assertEquals(0, TestNodes.calls("5"), "nodes no output needs never run");
            assertEquals(0, TestNodes.calls("6"));
            assertEquals(List.of("1", "2", "3", "4", "9"), r.executed());
        }
    }

    @Test
    void eventsComeInComfyUiOrder() {
        try (Harness h = new Harness()) {
            h.run("""
                    {"1": {"class_type": "Slow", "inputs": {"steps": 2, "millis": 0, "tag": "x"}},
                     "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
            assertEquals(List.of("execution_start", "execution_cached", "executing", "progress", "progress",
                    "executing", "executed", "execution_success"), h.eventTypes());
            RunEvent.Executed executed = (RunEvent.Executed) h.events.get(6);
            assertEquals("9", executed.data().get("node"));
            assertEquals(List.of("2"), executed.output().get("text"));
        }
    }

    @Test
    void outputListsMapOverConsumersAndInputListsGetWholeLists() {
        try (Harness h = new Harness()) {
            RunResult r = h.run("""
                    {"1": {"class_type": "Range", "inputs": {"n": 4}},
                     "2": {"class_type": "Add", "inputs": {"a": ["1", 0], "b": 100}},
                     "3": {"class_type": "Sum", "inputs": {"values": ["2", 0]}},
                     "8": {"class_type": "Show", "inputs": {"value": ["2", 0]}},
                     "9": {"class_type": "Show", "inputs": {"value": ["3", 0]}}}""");
            assertTrue(r.succeeded(), () -> String.valueOf(r.failure()));
            assertEquals(List.of("101", "102", "103", "104"), Harness.text(r, "8"), "one call per list item");
            assertEquals(4, TestNodes.calls("2"));
            assertEquals(List.of("410"), Harness.text(r, "9"), "input-is-list node gets the whole list once");
            assertEquals(1, TestNodes.calls("3"));
        }
    }

    @Test
    void theLongestListWinsAndShorterOnesRepeatTheirLastItem() {
        try (Harness h = new Harness()) {
            RunResult r = h.run("""
                    {"1": {"class_type": "Range", "inputs": {"n": 3}},
                     "2": {"class_type": "Range", "inputs": {"n": 1}},
                     "3": {"class_type": "Add", "inputs": {"a": ["1", 0], "b": ["2", 0]}},
                     "9": {"class_type": "Show", "inputs": {"value": ["3", 0]}}}""");
            assertEquals(List.of("2", "3", "4"), Harness.text(r, "9"));
        }
    }

    @Test
    void nodeExpansionRunsTheSubgraphAndResolvesTheResult() {
        try (Harness h = new Harness()) {
            RunResult r = h.run("""
                    {"1": {"class_type": "Const", "inputs": {"value": 10}},
                     "2": {"class_type": "RepeatAdd", "inputs": {"x": ["1", 0], "times": 3}},
                     "9": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""");
            assertTrue(r.succeeded(), () -> String.valueOf(r.failure()));
            assertEquals(List.of("13"), Harness.text(r, "9"));
            assertEquals(1, TestNodes.calls("2"));
            assertEquals(1, TestNodes.calls("2.0.0.3"), "expanded nodes get deterministic prefixed ids");
            assertEquals(List.of("13"), Harness.text(r, "2.0.0.4"), "output nodes inside the subgraph run too");
        }
    }

    @Test
    void lazyInputsEvaluateOnlyTheBranchThatIsAskedFor() {
        try (Harness h = new Harness()) {
            RunResult r = h.run("""
                    {"1": {"class_type": "Const", "inputs": {"value": 1}},
                     "2": {"class_type": "Const", "inputs": {"value": 2}},
                     "3": {"class_type": "Fail", "inputs": {"value": ["2", 0]}},
                     "4": {"class_type": "Switch", "inputs": {"use_a": true, "a": ["1", 0], "b": ["3", 0]}},
                     "9": {"class_type": "Show", "inputs": {"value": ["4", 0]}}}""");
            assertTrue(r.succeeded(), () -> String.valueOf(r.failure()));
            assertEquals(List.of("1"), Harness.text(r, "9"));
            assertEquals(0, TestNodes.calls("3"), "the unused lazy branch never runs");
            assertEquals(0, TestNodes.calls("2"));
        }
    }

    @Test
    void executionBlockersSkipTheBranchAndReportTheirMessage() {
        try (Harness h = new Harness()) {
            RunResult r = h.run("""
                    {"1": {"class_type": "Const", "inputs": {"value": 1}},
                     "2": {"class_type": "Gate", "inputs": {"open": false, "value": ["1", 0], "message": "closed"}},
                     "3": {"class_type": "Add", "inputs": {"a": ["2", 0], "b": 1}},
                     "8": {"class_type": "Show", "inputs": {"value": ["3", 0]}},
                     "9": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""");
            assertTrue(r.succeeded(), () -> String.valueOf(r.failure()));
            assertEquals(0, TestNodes.calls("3"), "a node fed a blocker is not called");
            assertEquals(0, TestNodes.calls("8"));
            assertEquals(List.of("1"), Harness.text(r, "9"));
            assertTrue(h.events.stream().anyMatch(e -> e instanceof RunEvent.ExecutionError err
                    && err.exceptionType().equals("ExecutionBlocked") && err.exceptionMessage().equals("closed")));
        }
    }

    @Test
    void aFailingNodeStopsTheRunWithItsIdTypeAndMessage() {
        try (Harness h = new Harness()) {
            RunResult r = h.run("""
                    {"1": {"class_type": "Const", "inputs": {"value": 1}},
                     "2": {"class_type": "Fail", "inputs": {"value": ["1", 0]}},
                     "3": {"class_type": "Add", "inputs": {"a": ["2", 0], "b": 1}},
                     "9": {"class_type": "Show", "inputs": {"value": ["3", 0]}}}""");
            assertEquals(RunResult.Status.ERROR, r.status());
            RunEvent.ExecutionError e = (RunEvent.ExecutionError) r.failure();
            assertEquals("2", e.nodeId());
            assertEquals("Fail", e.nodeType());
            assertEquals("this node always fails [pack test]", e.exceptionMessage());
            assertEquals(List.of("1"), e.executed());
            assertEquals(List.of("1"), e.currentInputs().get("value"));
            assertFalse(e.traceback().isEmpty());
            assertEquals(0, TestNodes.calls("3"));
            assertEquals("execution_error", h.eventTypes().get(h.eventTypes().size() - 1));
        }
    }

    @Test
    void parallelRunsGiveTheSameResultsAsSequentialOnesAndOverlapBranches() {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < 6; i++) {
            json.append(String.format("""
                    "s%d": {"class_type": "Slow", "inputs": {"steps": 3, "millis": 20, "tag": "%d"}},
                    "a%d": {"class_type": "Add", "inputs": {"a": ["s%d", 0], "b": %d}},
                    "o%d": {"class_type": "Show", "inputs": {"value": ["a%d", 0]}},
                    """, i, i, i, i, i * 7, i, i));
        }
        json.append("\"sum\": {\"class_type\": \"Add\", \"inputs\": {\"a\": [\"a0\", 0], \"b\": [\"a5\", 0]}},");
        json.append("\"out\": {\"class_type\": \"Show\", \"inputs\": {\"value\": [\"sum\", 0]}}}");
        RunResult sequential;
        RunResult parallel;
        int maxParallel;
        try (Harness h = new Harness(OutputCache.NONE, EngineSettings.sequential())) {
            sequential = h.run(json.toString());
            assertEquals(1, TestNodes.MAX_RUNNING.get());
        }
        try (Harness h = new Harness(OutputCache.NONE, new EngineSettings(4))) {
            parallel = h.run(json.toString());
            maxParallel = TestNodes.MAX_RUNNING.get();
        }
        assertTrue(sequential.succeeded() && parallel.succeeded());
        assertEquals(sequential.outputs(), parallel.outputs());
        assertEquals(sequential.executed().size(), parallel.executed().size());
        assertTrue(maxParallel > 1, "independent branches should overlap, max running was " + maxParallel);
    }

    @Test
    void workOnOneAcceleratorIsSerializedWhileCpuWorkOverlaps() {
        String json = """
                {"1": {"class_type": "DeviceWork", "inputs": {"millis": 30}},
                 "2": {"class_type": "DeviceWork", "inputs": {"millis": 30}},
                 "3": {"class_type": "DeviceWork", "inputs": {"millis": 30}},
                 "4": {"class_type": "Slow", "inputs": {"steps": 4, "millis": 15, "tag": "cpu"}},
                 "5": {"class_type": "Add", "inputs": {"a": ["1", 0], "b": ["2", 0]}},
                 "6": {"class_type": "Add", "inputs": {"a": ["5", 0], "b": ["3", 0]}},
                 "7": {"class_type": "Add", "inputs": {"a": ["6", 0], "b": ["4", 0]}},
                 "9": {"class_type": "Show", "inputs": {"value": ["7", 0]}}}""";
        try (Harness h = new Harness(OutputCache.NONE, new EngineSettings(4), Harness.GPU)) {
            RunResult r = h.run(json);
            assertEquals(List.of("94"), Harness.text(r, "9"));
            assertEquals(1, TestNodes.MAX_ON_DEVICE.get(), "one accelerator node at a time");
            assertTrue(TestNodes.MAX_RUNNING.get() > 1, "CPU nodes still overlap with device nodes");
        }
        try (Harness h = new Harness(OutputCache.NONE, new EngineSettings(4), Harness.CPU)) {
            h.run(json);
            assertTrue(TestNodes.MAX_ON_DEVICE.get() > 1, "on the CPU, 'device' nodes run in parallel too");
        }
    }

    @Test
    void cancellationStopsAtTheNextStepAndReleasesEverything() throws Exception {
        try (Harness h = new Harness(OutputCache.NONE, new EngineSettings(2))) {
            CancellationToken token = new CancellationToken();
            CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> h.run("""
                    {"1": {"class_type": "MakeHandle", "inputs": {"value": 5}},
                     "2": {"class_type": "Slow", "inputs": {"steps": 1000, "millis": 5, "tag": "long"}},
                     "3": {"class_type": "Keep", "inputs": {"h": ["1", 0]}},
                     "8": {"class_type": "Show", "inputs": {"value": ["2", 0]}},
                     "9": {"class_type": "Show", "inputs": {"value": ["3", 0]}}}""", token));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (h.events.stream().noneMatch(e -> e instanceof RunEvent.Progress) && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            long cancelledAt = System.nanoTime();
            token.cancel();
            RunResult r = run.get(10, TimeUnit.SECONDS);
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelledAt);
            assertEquals(RunResult.Status.INTERRUPTED, r.status());
            RunEvent.ExecutionInterrupted e = (RunEvent.ExecutionInterrupted) r.failure();
            assertEquals("2", e.nodeId());
            assertTrue(stopMillis < 2000, "stopped after " + stopMillis + " ms");
            assertEquals("execution_interrupted", h.eventTypes().get(h.eventTypes().size() - 1));
            assertEquals(0, TestNodes.Handle.LIVE.get(), "native values of an interrupted run are released");
        }
    }

    @Test
    void nativeValuesAreReleasedByTheirLastOwner() {
        String json = """
                {"1": {"class_type": "MakeHandle", "inputs": {"value": 2}},
                 "2": {"class_type": "MakeHandle", "inputs": {"value": 3}},
                 "3": {"class_type": "AddHandles", "inputs": {"a": ["1", 0], "b": ["2", 0]}},
                 "4": {"class_type": "Keep", "inputs": {"h": ["3", 0]}},
                 "5": {"class_type": "HandleValue", "inputs": {"h": ["4", 0]}},
                 "9": {"class_type": "Show", "inputs": {"value": ["5", 0]}}}""";
        try (Harness h = new Harness()) {
            RunResult r = h.run(json);
            assertEquals(List.of("5"), Harness.text(r, "9"));
            assertEquals(0, TestNodes.Handle.LIVE.get(), "without a cache nothing outlives the run");
        }
        Harness.MapCache cache = new Harness.MapCache();
        try (Harness h = new Harness(cache, EngineSettings.sequential())) {
            h.run(json);
            assertEquals(3, TestNodes.Handle.LIVE.get(), "the cache owns the three handles it stores");
            cache.clear();
            assertEquals(0, TestNodes.Handle.LIVE.get(), "and frees them when it drops them");
        }
    }

    @Test
    void aValueIsFreedAsSoonAsItsLastConsumerHasRun() {
        try (Harness h = new Harness()) {
            RunResult r = h.run("""
                    {"1": {"class_type": "MakeHandle", "inputs": {"value": 2}},
                     "2": {"class_type": "HandleValue", "inputs": {"h": ["1", 0]}},
                     "3": {"class_type": "Keep", "inputs": {"h": ["1", 0]}},
                     "4": {"class_type": "HandleValue", "inputs": {"h": ["3", 0]}},
                     "5": {"class_type": "Add", "inputs": {"a": ["2", 0], "b": ["4", 0]}},
                     "6": {"class_type": "LiveHandles", "inputs": {"after": ["5", 0]}},
                     "7": {"class_type": "MakeHandle", "inputs": {"value": ["6", 0]}},
                     "8": {"class_type": "LiveHandles", "inputs": {"after": ["7", 0]}},
                     "9": {"class_type": "Show", "inputs": {"value": ["8", 0]}}}""");
            assertTrue(r.succeeded(), () -> String.valueOf(r.failure()));
            assertEquals(List.of("1"), Harness.text(r, "9"),
                    "handle 1 is gone once nodes 2 and 3/4 ran; only the handle of node 7 is alive at node 8");
            assertEquals(0, TestNodes.Handle.LIVE.get());
        }
    }

    @Test
    void aSecondIdenticalRunIsServedFromTheCacheEvenWithRenumberedIds() {
        Harness.MapCache cache = new Harness.MapCache();
        try (Harness h = new Harness(cache, EngineSettings.sequential())) {
            h.run("""
                    {"1": {"class_type": "MakeHandle", "inputs": {"value": 4}},
                     "2": {"class_type": "HandleValue", "inputs": {"h": ["1", 0]}},
                     "9": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""");
            TestNodes.CALLS.clear();
            RunResult again = h.run("""
                    {"71": {"class_type": "MakeHandle", "inputs": {"value": 4}},
                     "72": {"class_type": "HandleValue", "inputs": {"h": ["71", 0]}},
                     "79": {"class_type": "Show", "inputs": {"value": ["72", 0]}}}""");
            assertTrue(again.executed().isEmpty(), "nothing re-runs: " + again.executed());
            assertEquals(List.of("71", "72", "79"), again.cached());
            assertEquals(List.of("4"), Harness.text(again, "79"), "cached output nodes re-send their UI");
            RunEvent.ExecutionCached cached = (RunEvent.ExecutionCached) h.events.get(1);
            assertEquals(List.of("71", "72", "79"), cached.nodes());

            RunResult changed = h.run("""
                    {"71": {"class_type": "MakeHandle", "inputs": {"value": 4}},
                     "72": {"class_type": "HandleValue", "inputs": {"h": ["71", 0]}},
                     "73": {"class_type": "Add", "inputs": {"a": ["72", 0], "b": 1}},
                     "79": {"class_type": "Show", "inputs": {"value": ["73", 0]}}}""");
            assertEquals(List.of("73", "79"), changed.executed(), "only what changed runs");
            assertNotNull(Harness.text(changed, "79"));
        }
        assertEquals(0, TestNodes.Handle.LIVE.get());
    }
}
