package dev.easel.plugins.js;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node declared by a JavaScript pack file. Each call runs the file afresh in a sandbox context (so no state of one
 * call survives to the next), calls the node's {@code execute} with one object of its inputs, and checks the result
 * against the declared outputs: an object keyed by output names, an array in output order (one value per output), or,
 * for a node with one output, any other bare value. An output node may add {@code ui: {key: [...]}} to an object result.
 */
final class JsPackNode implements Node {

    private final NodeSchema schema;
    private final JsProgram file;
    private final JsSandbox sandbox;

    JsPackNode(NodeSchema schema, JsProgram file, JsSandbox sandbox) {
        this.schema = schema;
        this.file = file;
        this.sandbox = sandbox;
    }

    @Override
    public NodeSchema schema() {
        return schema;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) throws Exception {
        Map<String, Object> args = new LinkedHashMap<>();
        for (String name : inputs.names()) {
            InputSpec spec = schema.input(name).orElse(null);
            if (spec != null) {
                args.put(name, JsValues.checkInput("input '" + name + "'", inputs.get(name), spec.isUnsigned()));
            }
        }
        JsResult r = sandbox.runPackNode(file, schema.name(), args, context::isCancelled);
        if (!r.console().isEmpty()) {
            context.logger().log(System.Logger.Level.INFO, "console: " + r.console().strip());
        }
        return toOutput(r.value());
    }

    private NodeOutput toOutput(Object result) {
        List<OutputSpec> outputs = schema.outputs();
        String node = file.name() + ", node " + schema.name();
        List<Object> values = new ArrayList<>();
        Map<?, ?> ui = null;
        if (result instanceof List<?> list) {
            if (list.size() != outputs.size()) {
                throw new IllegalArgumentException(node + ": execute returned an array of " + list.size()
                        + " values for " + outputs.size() + " outputs (an array is one value per output; return "
                        + "[[...]] or {name: [...]} for an array value)");
            }
            values.addAll(list);
        } else if (result instanceof Map<?, ?> map && (outputs.size() != 1 || keysAreOutputNames(map))) {
            for (Object key : map.keySet()) {
                if (!(schema.outputNode() && "ui".equals(key)) && outputs.stream().noneMatch(o -> o.name().equals(key))) {
                    throw new IllegalArgumentException(node + ": execute returned \"" + key + "\", which is not an "
                            + "output (outputs: " + outputs.stream().map(OutputSpec::name).toList() + ")");
                }
            }
            for (OutputSpec out : outputs) {
                if (!map.containsKey(out.name())) {
                    throw new IllegalArgumentException(node + ": execute returned no value for output '" + out.name()
                            + "'");
                }
                values.add(map.get(out.name()));
            }
            if (map.get("ui") instanceof Map<?, ?> u && schema.outputNode()) {
                ui = u;
            }
        } else if (outputs.size() == 1) {
            values.add(result);
        } else {
            throw new IllegalArgumentException(node + ": execute must return an object keyed by output name or an "
                    + "array of " + outputs.size() + " values, got " + JsTypes.describe(result));
        }
        Object[] typed = new Object[outputs.size()];
        for (int i = 0; i < typed.length; i++) {
            typed[i] = typed(outputs.get(i), values.get(i), node);
        }
        NodeOutput output = NodeOutput.of(typed);
        if (ui != null) {
            for (Map.Entry<?, ?> e : ui.entrySet()) {
                if (!(e.getValue() instanceof List<?> items)) {
                    throw new IllegalArgumentException(node + ": ui." + e.getKey() + " must be an array");
                }
                output = output.withUi((String) e.getKey(), items);
            }
        }
        return output;
    }

    private boolean keysAreOutputNames(Map<?, ?> map) {
        return !map.isEmpty() && map.keySet().stream().allMatch(k -> "ui".equals(k)
                || schema.outputs().stream().anyMatch(o -> o.name().equals(k)));
    }

    private static Object typed(OutputSpec out, Object value, String node) {
        String what = node + ": output '" + out.name() + "'";
        if (!out.isList()) {
            return JsTypes.toDeclared(out.type(), value, what);
        }
        if (!(value instanceof List<?> items)) {
            throw new IllegalArgumentException(what + " is a list output and must be an array, got "
                    + JsTypes.describe(value));
        }
        List<Object> converted = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            converted.add(JsTypes.toDeclared(out.type(), items.get(i), what + "[" + i + "]"));
        }
        return List.copyOf(converted);
    }
}
