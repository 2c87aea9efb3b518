package dev.easel.engine;

import dev.easel.node.ExecutionBlocker;
import dev.easel.node.InputProblem;
import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodePack;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import dev.easel.node.RefCounted;
import dev.easel.node.Subgraph;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Small nodes for engine tests; they count their executions and track live native-like values. */
final class TestNodes implements NodePack {

    /** Executions per node id in the current test. */
    static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger MAX_RUNNING = new AtomicInteger();
    static final AtomicInteger ON_DEVICE = new AtomicInteger();
    static final AtomicInteger MAX_ON_DEVICE = new AtomicInteger();

    static void reset() {
        CALLS.clear();
        RUNNING.set(0);
        MAX_RUNNING.set(0);
        ON_DEVICE.set(0);
        MAX_ON_DEVICE.set(0);
        Handle.LIVE.set(0);
    }

    static int calls(String nodeId) {
        AtomicInteger n = CALLS.get(nodeId);
        return n == null ? 0 : n.get();
    }

    /** A fake native value: counts references like a tensor would. */
    static final class Handle implements RefCounted {
        static final AtomicInteger LIVE = new AtomicInteger();
        final long value;
        private final AtomicInteger refs = new AtomicInteger();

        Handle(long value) {
            this.value = value;
            LIVE.incrementAndGet();
        }

        @Override
        public void retain() {
            if (refs.getAndIncrement() < 0) {
                throw new IllegalStateException("retain after free");
            }
        }

        @Override
        public void release() {
            int left = refs.decrementAndGet();
            if (left < 0) {
                throw new IllegalStateException("released more often than retained");
            }
            if (left == 0) {
                LIVE.decrementAndGet();
            }
        }

        @Override
        public String toString() {
            return "Handle(" + value + ")";
        }
    }

    @Override
    public String id() {
        return "test";
    }

    @Override
    public List<Node> nodes() {
        return List.of(
                simple(NodeSchema.builder("Const").required(InputSpec.integer("value").min(-1000).max(1000))
                        .output("INT"), (in, ctx) -> NodeOutput.of(in.getLong("value"))),
                simple(NodeSchema.builder("Seed").required(InputSpec.integer("seed").min(0).max(InputSpec.UINT64_MAX))
                        .output("INT"), (in, ctx) -> NodeOutput.of(in.getLong("seed"))),
                simple(NodeSchema.builder("Add").required(InputSpec.integer("a")).required(InputSpec.integer("b"))
                        .output("INT"), (in, ctx) -> NodeOutput.of(in.getLong("a") + in.getLong("b"))),
                simple(NodeSchema.builder("Scale").required(InputSpec.number("factor").min(0.0).max(10.0))
                        .required(InputSpec.integer("x").forceInput()).output("FLOAT"),
                        (in, ctx) -> NodeOutput.of(in.getDouble("factor") * in.getLong("x"))),
                simple(NodeSchema.builder("Pick").required(InputSpec.combo("mode", List.of("first", "second")))
                        .required(InputSpec.of("a", "*")).required(InputSpec.of("b", "*")).output("*"),
                        (in, ctx) -> NodeOutput.of(in.getString("mode").equals("first") ? in.get("a") : in.get("b"))),
                simple(NodeSchema.builder("Show").required(InputSpec.of("value", "*")).outputNode().searchAliases("display"),
                        (in, ctx) -> NodeOutput.none().withUi("text", List.of(String.valueOf(in.get("value"))))),
                simple(NodeSchema.builder("Fail").required(InputSpec.of("value", "*")).output("INT"),
                        (in, ctx) -> {
                            throw new IllegalArgumentException("this node always fails");
                        }),
                simple(NodeSchema.builder("Range").required(InputSpec.integer("n").min(0).max(100))
                        .output(OutputSpec.of("INT").asList()), (in, ctx) -> {
                            List<Long> items = new ArrayList<>();
                            for (long i = 1; i <= in.getLong("n"); i++) {
                                items.add(i);
                            }
                            return NodeOutput.of(items);
                        }),
                simple(NodeSchema.builder("Sum").inputIsList().required(InputSpec.of("values", "INT")).output("INT"),
                        (in, ctx) -> NodeOutput.of(in.getList("values", Long.class).stream().mapToLong(x -> x).sum())),
                simple(NodeSchema.builder("Slow").required(InputSpec.integer("steps").min(1).max(1000))
                        .required(InputSpec.integer("millis").min(0).max(10_000))
                        .required(InputSpec.string("tag")).output("INT"), (in, ctx) -> {
                            long steps = in.getLong("steps");
                            for (long i = 1; i <= steps; i++) {
                                Thread.sleep(in.getLong("millis"));
                                ctx.progress(i, steps);
                            }
                            return NodeOutput.of(steps);
                        }),
                simple(NodeSchema.builder("MakeHandle").required(InputSpec.integer("value")).output("HANDLE"),
                        (in, ctx) -> NodeOutput.of(new Handle(in.getLong("value")))),
                simple(NodeSchema.builder("Keep").required(InputSpec.of("h", "HANDLE")).output("HANDLE"),
                        (in, ctx) -> NodeOutput.of(in.get("h", Handle.class))),
                simple(NodeSchema.builder("AddHandles").required(InputSpec.of("a", "HANDLE"))
                        .required(InputSpec.of("b", "HANDLE")).output("HANDLE"), (in, ctx) -> NodeOutput.of(
                        new Handle(in.get("a", Handle.class).value + in.get("b", Handle.class).value))),
                simple(NodeSchema.builder("HandleValue").required(InputSpec.of("h", "HANDLE")).output("INT"),
                        (in, ctx) -> NodeOutput.of(in.get("h", Handle.class).value)),
                simple(NodeSchema.builder("Gate").required(InputSpec.bool("open")).required(InputSpec.of("value", "*"))
                        .optional(InputSpec.string("message")).output("*"), (in, ctx) -> NodeOutput.of(
                        in.getBoolean("open") ? in.get("value") : in.has("message")
                                ? ExecutionBlocker.withMessage(in.getString("message")) : ExecutionBlocker.silent())),
                simple(NodeSchema.builder("DeviceWork").usesAccelerator().required(InputSpec.integer("millis"))
                        .output("INT"), (in, ctx) -> {
                            int now = ON_DEVICE.incrementAndGet();
                            MAX_ON_DEVICE.accumulateAndGet(now, Math::max);
                            try {
                                Thread.sleep(in.getLong("millis"));
                            } finally {
                                ON_DEVICE.decrementAndGet();
                            }
                            return NodeOutput.of(in.getLong("millis"));
                        }),
                simple(NodeSchema.builder("LiveHandles").required(InputSpec.of("after", "*")).output("INT"),
                        (in, ctx) -> NodeOutput.of((long) Handle.LIVE.get())),
                simple(NodeSchema.builder("Volatile").neverCache().required(InputSpec.integer("value")).output("INT"),
                        (in, ctx) -> NodeOutput.of(in.getLong("value"))),
                new ReadFile(),
                new EvenOnly(),
                new Switch(),
                new RepeatAdd());
    }

    @FunctionalInterface
    interface Body {
        NodeOutput apply(NodeInputs in, NodeContext ctx) throws Exception;
    }

    private static Node simple(NodeSchema.Builder schema, Body body) {
        NodeSchema built = schema.category("test").build();
        return new Node() {
            @Override
            public NodeSchema schema() {
                return built;
            }

            @Override
            public NodeOutput execute(NodeInputs inputs, NodeContext context) throws Exception {
                CALLS.computeIfAbsent(context.nodeId(), k -> new AtomicInteger()).incrementAndGet();
                int now = RUNNING.incrementAndGet();
                MAX_RUNNING.accumulateAndGet(now, Math::max);
                try {
                    return body.apply(inputs, context);
                } finally {
                    RUNNING.decrementAndGet();
                }
            }
        };
    }

    /** Reads a text file; keyed on the file's content through {@link dev.easel.node.FileFingerprint}. */
    static final class ReadFile implements Node {
        @Override
        public NodeSchema schema() {
            return NodeSchema.builder("ReadFile").required(InputSpec.string("path")).output("STRING").build();
        }

        @Override
        public Object fingerprint(NodeInputs inputs) throws Exception {
            return dev.easel.node.FileFingerprint.of(java.nio.file.Path.of(inputs.getString("path")));
        }

        @Override
        public NodeOutput execute(NodeInputs inputs, NodeContext context) throws Exception {
            CALLS.computeIfAbsent(context.nodeId(), k -> new AtomicInteger()).incrementAndGet();
            return NodeOutput.of(java.nio.file.Files.readString(java.nio.file.Path.of(inputs.getString("path"))));
        }
    }

    /** A node with its own validation hook: only even numbers. */
    static final class EvenOnly implements Node {
        @Override
        public NodeSchema schema() {
            return NodeSchema.builder("EvenOnly").required(InputSpec.integer("value").validatedByNode()).output("INT")
                    .build();
        }

        @Override
        public NodeOutput execute(NodeInputs inputs, NodeContext context) {
            return NodeOutput.of(inputs.getLong("value"));
        }

        @Override
        public List<InputProblem> validateInputs(NodeInputs literals) {
            return literals.has("value") && literals.getLong("value") % 2 != 0
                    ? List.of(new InputProblem("value", "must be even")) : List.of();
        }
    }

    /** Lazy switch: evaluates only the branch it returns (ComfyUI's check_lazy_status pattern). */
    static final class Switch implements Node {
        @Override
        public NodeSchema schema() {
            return NodeSchema.builder("Switch").required(InputSpec.bool("use_a"))
                    .required(InputSpec.of("a", "*").lazy()).required(InputSpec.of("b", "*").lazy()).output("*")
                    .build();
        }

        @Override
        public List<String> lazyInputsNeeded(NodeInputs available, NodeContext context) {
            String wanted = available.getBoolean("use_a") ? "a" : "b";
            return available.has(wanted) ? List.of() : List.of(wanted);
        }

        @Override
        public NodeOutput execute(NodeInputs inputs, NodeContext context) {
            CALLS.computeIfAbsent(context.nodeId(), k -> new AtomicInteger()).incrementAndGet();
            return NodeOutput.of(inputs.get(inputs.getBoolean("use_a") ? "a" : "b"));
        }
    }

    /** Expands into a chain of Add nodes: x + 1 + 1 ... (times), plus a Show node inside the subgraph. */
    static final class RepeatAdd implements Node {
        @Override
        public NodeSchema schema() {
            return NodeSchema.builder("RepeatAdd").required(InputSpec.integer("x").forceInput())
                    .required(InputSpec.integer("times").min(1).max(100)).output("INT").build();
        }

        @Override
        public NodeOutput execute(NodeInputs inputs, NodeContext context) {
            CALLS.computeIfAbsent(context.nodeId(), k -> new AtomicInteger()).incrementAndGet();
            Subgraph g = context.newSubgraph();
            Object current = inputs.getLong("x");
            for (int i = 0; i < inputs.getLong("times"); i++) {
                current = g.add("Add", Map.of("a", current, "b", 1L)).out(0);
            }
            g.add("Show", Map.of("value", current));
            return NodeOutput.expand(g, current);
        }
    }
}
