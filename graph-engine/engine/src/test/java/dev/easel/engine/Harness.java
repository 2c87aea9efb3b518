package dev.easel.engine;

import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.cache.CachedOutputs;
import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.event.RunEvent;
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
import dev.easel.node.RuntimeInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Builds an engine over {@link TestNodes} and runs JSON workflows through it. */
final class Harness implements AutoCloseable {

    static final RuntimeInfo CPU = RuntimeInfo.fixed("cpu", false);

    /** Like {@link #CPU} but with an accelerator, so device nodes are serialized. */
    static final RuntimeInfo GPU = new RuntimeInfo() {
        public String device() {
            return "cuda:0";
        }

        public boolean hasAccelerator() {
            return true;
        }

        public long hostResidentBytes() {
            return 0;
        }

        public long hostTotalBytes() {
            return 0;
        }

        public long deviceFreeBytes() {
            return 1L << 30;
        }
    };

    static final Folders NO_FOLDERS = Folders.of(Path.of("target/test-output"), Path.of("target/test-input"),
            Path.of("target/test-temp"));

    /** A simple unbounded cache that owns references like a real one. */
    static final class MapCache implements OutputCache {
        final Map<CacheKey, CachedOutputs> entries = new ConcurrentHashMap<>();

        @Override
        public Optional<CachedOutputs> lookup(CacheKey key) {
            CachedOutputs found = entries.get(key);
            if (found != null) {
                retain(found);
            }
            return Optional.ofNullable(found);
        }

        @Override
        public void put(CacheKey key, CachedOutputs outputs, NodeCost cost) {
            retain(outputs);
            CachedOutputs old = entries.put(key, outputs);
            if (old != null) {
                OutputCache.releaseValues(old);
            }
        }

        @Override
        public void clear() {
            entries.values().forEach(OutputCache::releaseValues);
            entries.clear();
        }

        private static void retain(CachedOutputs outputs) {
            OutputCache.retainValues(outputs);
        }
    }

    final NodeRegistry registry = new NodeRegistry();
    final Engine engine;
    final List<RunEvent> events = Collections.synchronizedList(new ArrayList<>());

    Harness(OutputCache cache, EngineSettings settings) {
        this(cache, settings, CPU);
    }

    Harness(OutputCache cache, EngineSettings settings, RuntimeInfo runtime) {
        TestNodes.reset();
        registry.register(new TestNodes());
        engine = new Engine(registry, cache, runtime, NO_FOLDERS, settings);
    }

    Harness() {
        this(OutputCache.NONE, EngineSettings.sequential());
    }

    ValidationResult validate(String json) {
        return validate(json, ValidationOptions.STRICT);
    }

    ValidationResult validate(String json, ValidationOptions options) {
        try {
            return engine.validate(WorkflowParser.parse(json), options);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    RunResult run(String json) {
        return run(json, new CancellationToken());
    }

    RunResult run(String json, CancellationToken token) {
        ValidationResult v = validate(json);
        if (!v.isValid()) {
            throw new AssertionError("workflow is invalid: " + v.toJson());
        }
        events.clear();
        return engine.run(new RunRequest("p1", v.workflow(), Map.of()), events::add, token);
    }

    List<String> eventTypes() {
        synchronized (events) {
            return events.stream().map(RunEvent::type).toList();
        }
    }

    /** The text UI of an output node: {"text": [..]}. */
    static List<Object> text(RunResult result, String nodeId) {
        Map<String, List<Object>> ui = result.outputs().get(nodeId);
        return ui == null ? null : ui.get("text");
    }

    @Override
    public void close() {
        engine.cache().clear();
        engine.close();
    }
}
