package dev.easel.plugins.js;

import dev.easel.node.ExecutionBlocker;
import dev.easel.node.InputProblem;
import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * The inline JavaScript node: evaluates a short script over its inputs {@code a..d} (any plain value), for prompt
 * templating, arithmetic on sizes and seeds, or choosing a branch. The script is an expression
 * ({@code a * 2 + b}, {@code `photo of ${a}`}) or a function body with {@code return}.
 *
 * <p>Outputs, like ComfyUI's "evaluate" nodes, are views of the one result: {@code result} ({@code *}, the value as
 * returned: number, text, boolean, array or object), {@code INT}, {@code FLOAT} (Python's {@code int()} and
 * {@code float()} on it), {@code STRING} (text as is, other values as JSON) and {@code BOOLEAN} (JavaScript
 * truthiness). A view the result does not convert to (a non-integral number as INT, say) carries an
 * {@link ExecutionBlocker} with the reason, so only the nodes that use that view fail.
 *
 * <p>The script is a pure function of its inputs: the sandbox has no clock and no {@code Math.random}, so the node
 * is cached like any other (no fingerprint), and the same inputs always give the same result.
 */
public final class JavaScriptExpression implements Node {

    /** The node's class name. */
    public static final String NAME = "JavaScriptExpression";
    /** Scripts longer than this are refused before they reach the parser. */
    static final int MAX_SCRIPT_CHARS = 256 * 1024;

    private static final NodeSchema SCHEMA = buildSchema();

    private final JsSandbox sandbox;

    /** The node on the process-wide sandbox. */
    public JavaScriptExpression() {
        this(null);
    }

    /** The node on a given sandbox (tests, benchmarks); {@code null} means {@link JsSandbox#shared()}. */
    public JavaScriptExpression(JsSandbox sandbox) {
        this.sandbox = sandbox;
    }

    private static NodeSchema buildSchema() {
        NodeSchema.Builder b = NodeSchema.builder(NAME)
                .displayName("JavaScript")
                .category("utils/scripting")
                .description("Evaluates a JavaScript expression or function body over the inputs a, b, c and d "
                        + "(numbers, text, booleans, lists, objects), in a sandbox without I/O, clock or randomness. "
                        + "Integers beyond 2^53 arrive as BigInt.")
                .searchAliases("js", "script", "expression", "evaluate", "eval")
                .required(InputSpec.string("script").multiline().defaultValue("a * 2")
                        .tooltip("An expression such as a * 2 + b or `photo of ${a}`, or a function body with return."));
        for (String name : InlineScripts.PARAMETERS) {
            b.optional(InputSpec.of(name, InputSpec.ANY).tooltip("Available to the script as " + name + "."));
        }
        return b.output(InputSpec.ANY, "result")
                .output(InputSpec.INT, "INT")
                .output(InputSpec.FLOAT, "FLOAT")
                .output(InputSpec.STRING, "STRING")
                .output(InputSpec.BOOLEAN, "BOOLEAN")
                .build();
    }

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public List<InputProblem> validateInputs(NodeInputs literalInputs) {
        if (literalInputs.has("script") && literalInputs.get("script") instanceof String s
                && s.length() > MAX_SCRIPT_CHARS) {
            return List.of(new InputProblem("script", "the script is " + s.length() + " characters long; at most "
                    + MAX_SCRIPT_CHARS + " are allowed"));
        }
        return List.of();
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) throws Exception {
        String script = inputs.getString("script");
        if (script.length() > MAX_SCRIPT_CHARS) {
            throw new IllegalArgumentException("input 'script' is " + script.length() + " characters long; at most "
                    + MAX_SCRIPT_CHARS + " are allowed");
        }
        List<Object> args = new ArrayList<>();
        for (String name : InlineScripts.PARAMETERS) {
            args.add(JsValues.checkInput("input '" + name + "'", inputs.get(name), false));
        }
        JsSandbox box = sandbox == null ? JsSandbox.shared() : sandbox;
        JsResult r = box.call(InlineScripts.program(NAME, script), args, true, context::isCancelled);
        if (!r.console().isEmpty()) {
            context.logger().log(System.Logger.Level.INFO, "console: " + r.console().strip());
        }
        Object value = r.value();
        Long asInt = JsTypes.asInt(value);
        Double asFloat = JsTypes.asFloat(value);
        return NodeOutput.of(value,
                asInt != null ? asInt : blocker(context, value, "an INT"),
                asFloat != null ? asFloat : blocker(context, value, "a FLOAT"),
                r.text(),
                r.truthy());
    }

    private static ExecutionBlocker blocker(NodeContext context, Object value, String type) {
        return ExecutionBlocker.withMessage("JavaScript node " + context.nodeId() + ": the result "
                + JsTypes.describe(value) + " is not " + type);
    }
}
