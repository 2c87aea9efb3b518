package dev.easel.plugins.js.bench;

import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.testing.TestNodeContext;
import dev.easel.plugins.js.JavaScriptExpression;
import dev.easel.plugins.js.JsLimits;
import dev.easel.plugins.js.JsSandbox;
import java.util.Map;
import java.util.function.Function;

/**
 * Cost of one inline JavaScript node evaluation (cold, then warm) against a Java function doing the same work.
 * Run: {@code mvn -B -o -q test-compile -pl plugins/js-nodes -am} then
 * {@code java -cp "$(cat cp.txt):plugins/js-nodes/target/classes:plugins/js-nodes/target/test-classes"
 * dev.easel.plugins.js.bench.JsNodeBenchmark} (see the module's README for the class path).
 */
public final class JsNodeBenchmark {

    private JsNodeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        NodeContext context = new TestNodeContext(); // the benchmark runs outside the engine
        long coldStart = System.nanoTime();
        try (JsSandbox sandbox = new JsSandbox(JsLimits.defaults())) {
            JavaScriptExpression node = new JavaScriptExpression(sandbox);
            node.execute(inputs("a * 2 + b", 1L, 2L), context);
            System.out.printf("cold: first evaluation (engine + context + parse) %.1f ms%n",
                    (System.nanoTime() - coldStart) / 1e6);
            long newScript = System.nanoTime();
            node.execute(inputs("a * 3 + b", 1L, 2L), context);
            System.out.printf("new script on a warm engine (new context: prelude, lockdown, parse) %.1f ms%n",
                    (System.nanoTime() - newScript) / 1e6);
            measure("a * 2 + b", iterations, node, context, 21L, 1L,
                    in -> NodeOutput.of((Long) in.get("a") * 2 + (Long) in.get("b")));
            measure("`photo of ${a}, ${b}`", iterations, node, context, "a cat", "4k",
                    in -> NodeOutput.of("photo of " + in.get("a") + ", " + in.get("b")));
        }
    }

    private static void measure(String script, int iterations, JavaScriptExpression node, NodeContext context,
                                Object a, Object b, Function<NodeInputs, NodeOutput> java) throws Exception {
        NodeInputs in = inputs(script, a, b);
        for (int i = 0; i < iterations / 4; i++) {
            node.execute(in, context);
            java.apply(in);
        }
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            node.execute(in, context);
        }
        double jsNs = (System.nanoTime() - start) / (double) iterations;
        Object sink = null;
        start = System.nanoTime();
        for (int i = 0; i < iterations * 10; i++) {
            sink = java.apply(in);
        }
        double javaNs = (System.nanoTime() - start) / (iterations * 10.0);
        System.out.printf("%-24s JS node (warm) %,10.0f ns/eval   Java %,8.1f ns/eval   ratio %,.0fx  (%s)%n",
                script, jsNs, javaNs, jsNs / javaNs, sink == null ? "" : "ok");
    }

    private static NodeInputs inputs(String script, Object a, Object b) {
        return NodeInputs.of(Map.of("script", script, "a", a, "b", b));
    }
}
