package dev.easel.engine.plugins;

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
import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeEnvironment;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodePack;
import dev.easel.node.NodeSchema;
import dev.easel.node.RuntimeInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

/**
 * An engine for plugin tests: a registry holding a class-path pack with a {@code Show} output node (which passes its
 * value through, so its cached result may hold a plugin's value), and an in-memory cache.
 */
final class TestEngine implements AutoCloseable {

    static final RuntimeInfo CPU = RuntimeInfo.fixed("cpu", false);

    /** An output node: UI {@code text: [String.valueOf(value)]}, and the value itself as its output. */
    static final class Show implements Node {
        public NodeSchema schema() {
            return NodeSchema.builder("Show").required(InputSpec.of("value", InputSpec.ANY)).output(InputSpec.ANY)
                    .outputNode().build();
        }

        public NodeOutput execute(NodeInputs inputs, NodeContext context) {
            Object value = inputs.get("value");
            return NodeOutput.of(value).withUi("text", List.of(String.valueOf(value)));
        }
    }

    static final class BuiltIn implements NodePack {
        public String id() {
            return "builtin";
        }

        public List<Node> nodes() {
            return List.of(new Show());
        }
    }

    /** Keeps everything in a map. */
    static final class MapCache implements OutputCache {
        final Map<CacheKey, Map.Entry<String, CachedOutputs>> entries = new ConcurrentHashMap<>();

        public Optional<CachedOutputs> lookup(CacheKey key) {
            return Optional.ofNullable(entries.get(key)).map(Map.Entry::getValue);
        }

        public void release(CacheKey key, CachedOutputs outputs) {
        }

        public void put(CacheKey key, CachedOutputs outputs, NodeCost cost) {
            entries.put(key, Map.entry(cost.classType(), outputs));
        }

        public int dropIf(BiPredicate<String, CachedOutputs> test) {
            int before = entries.size();
            entries.values().removeIf(e -> test.test(e.getKey(), e.getValue()));
            return before - entries.size();
        }
    }

    final NodeRegistry registry = new NodeRegistry();
    final MapCache cache = new MapCache();
    final Engine engine;

    TestEngine(Path dir) {
        registry.register(new BuiltIn());
        Folders folders = Folders.of(dir.resolve("output"), dir.resolve("input"), dir.resolve("temp"));
        engine = new Engine(registry, cache, CPU, folders, EngineSettings.sequential());
    }

    NodeEnvironment environment() {
        return NodeEnvironment.defaults();
    }

    /** Runs {@code classType(text) -> Show} and returns the result. */
    RunResult runText(String classType, String text) throws Exception {
        String json = "{\"1\": {\"class_type\": \"" + classType + "\", \"inputs\": {\"text\": \"" + text + "\"}},"
                + " \"2\": {\"class_type\": \"Show\", \"inputs\": {\"value\": [\"1\", 0]}}}";
        ValidationResult v = engine.validate(WorkflowParser.parse(json), ValidationOptions.STRICT);
        if (!v.isValid()) {
            throw new AssertionError("invalid: " + v.toJson());
        }
        return engine.run(new RunRequest("p", v.workflow(), Map.of()), e -> { }, new CancellationToken());
    }

    /** The text Show displayed. */
    String shown(String classType, String text) throws Exception {
        RunResult r = runText(classType, text);
        if (!r.succeeded()) {
            throw new AssertionError("run failed: " + ((RunEvent.ExecutionError) r.failure()).exceptionMessage());
        }
        return (String) r.outputs().get("2").get("text").get(0);
    }

    @Override
    public void close() {
        engine.close();
    }
}
