package dev.easel.launcher;

import dev.easel.engine.exec.CancellationToken;
import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodePack;
import dev.easel.node.NodeSchema;
import java.util.List;

/**
 * Nodes for the launcher's own tests (registered through META-INF/services in the test class path only), so the exit
 * codes can be checked without depending on what the core pack does.
 */
public final class TestNodePack implements NodePack {

    /** The token {@link Steps} cancels when it reaches {@code cancel_at} (what Ctrl-C does). */
    static volatile CancellationToken cancelOnStep;

    @Override
    public String id() {
        return "launcher-test";
    }

    @Override
    public List<Node> nodes() {
        return List.of(new Echo(), new Fail(), new Steps());
    }

    /** Output node: shows {@code text} repeated {@code count} times as a UI text result. */
    static final class Echo implements Node {
        private static final NodeSchema SCHEMA = NodeSchema.builder("LauncherTestEcho").category("testing")
                .required(InputSpec.string("text").defaultValue(""))
                .required(InputSpec.integer("count").defaultValue(1L).min(1).max(10))
                .outputNode().build();

        @Override
        public NodeSchema schema() {
            return SCHEMA;
        }

        @Override
        public NodeOutput execute(NodeInputs inputs, NodeContext context) {
            return NodeOutput.none().withUi("text",
                    List.of(inputs.getString("text").repeat(inputs.getInt("count"))));
        }
    }

    /** Output node that throws {@code message} when it runs. */
    static final class Fail implements Node {
        private static final NodeSchema SCHEMA = NodeSchema.builder("LauncherTestFail").category("testing")
                .required(InputSpec.string("message")).outputNode().build();

        @Override
        public NodeSchema schema() {
            return SCHEMA;
        }

        @Override
        public NodeOutput execute(NodeInputs inputs, NodeContext context) {
            throw new IllegalStateException(inputs.getString("message"));
        }
    }

    /**
     * Output node that reports {@code steps} progress steps ({@code sleep_ms} apart) and cancels
     * {@link #cancelOnStep} at {@code cancel_at}.
     */
    static final class Steps implements Node {
        private static final NodeSchema SCHEMA = NodeSchema.builder("LauncherTestSteps").category("testing")
                .required(InputSpec.integer("steps").defaultValue(3L).min(1).max(1000))
                .required(InputSpec.integer("cancel_at").defaultValue(0L).min(0).max(1000))
                .optional(InputSpec.integer("sleep_ms").defaultValue(0L).min(0).max(10_000))
                .outputNode().build();

        @Override
        public NodeSchema schema() {
            return SCHEMA;
        }

        @Override
        public NodeOutput execute(NodeInputs inputs, NodeContext context) throws InterruptedException {
            long steps = inputs.getLong("steps");
            long sleep = inputs.has("sleep_ms") ? inputs.getLong("sleep_ms") : 0;
            long cancelAt = inputs.getLong("cancel_at");
            for (long i = 1; i <= steps; i++) {
                if (i == cancelAt && cancelOnStep != null) {
                    cancelOnStep.cancel();
                }
                context.progress(i, steps);
                Thread.sleep(sleep);
            }
            return NodeOutput.none().withUi("text", List.of("ran " + steps + " steps"));
        }
    }
}
