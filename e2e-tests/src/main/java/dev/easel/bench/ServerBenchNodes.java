package dev.easel.bench;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodePack;
import dev.easel.node.NodeSchema;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The server benchmark's progress node: {@code BenchProgress} reports {@code steps} progress ticks,
 * {@code pause_us} apart, and notes {@link System#nanoTime()} just before each {@code progress} call in
 * {@link #SENT} (keyed {@code promptId:step}), so a WebSocket client in the same JVM can measure the event latency.
 */
final class ServerBenchNodes implements NodePack {

    /** When each progress call was made: {@code "promptId:step"} → nanoTime. */
    static final Map<String, Long> SENT = new ConcurrentHashMap<>();

    @Override
    public String id() {
        return "server-bench";
    }

    @Override
    public List<Node> nodes() {
        NodeSchema schema = NodeSchema.builder("BenchProgress").required(InputSpec.integer("steps").min(1).max(100_000))
                .required(InputSpec.integer("pause_us").min(0).max(1_000_000)).required(InputSpec.integer("seed"))
                .output("INT").category("bench").build();
        return List.of(new Node() {
            @Override
            public NodeSchema schema() {
                return schema;
            }

            @Override
            public NodeOutput execute(NodeInputs in, NodeContext ctx) {
                long steps = in.getLong("steps");
                long pause = in.getLong("pause_us") * 1_000;
                for (long i = 1; i <= steps; i++) {
                    long until = System.nanoTime() + pause;
                    while (System.nanoTime() < until) {
                        LockSupport.parkNanos(Math.max(1, until - System.nanoTime()));
                    }
                    SENT.put(ctx.promptId() + ":" + i, System.nanoTime());
                    ctx.progress(i, steps);
                }
                return NodeOutput.of(in.getLong("seed"));
            }
        });
    }
}
