package dev.easel.engine.exec;

import dev.easel.node.ExecutionBlocker;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import dev.easel.node.RefCounted;
import dev.easel.node.Subgraph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.bytedeco.javacpp.PointerScope;

/**
 * Calls a node over its input lists (api-contract §6.4): every input is a list; a normal node is called once per
 * item of the longest list, shorter lists repeating their last item; an input-is-list node is called once with the
 * whole lists. Each call runs in its own native-memory scope, and every {@link RefCounted} output is retained once
 * for the run before the scope closes, so only what the node returns outlives the call.
 */
final class NodeInvoker {

    /** The merged result of all calls. */
    record Result(List<List<Object>> outputs, Map<String, List<Object>> ui, List<Subgraph> expansions,
                  List<List<Object>> expansionValues, String blockerMessage) {
    }

    private NodeInvoker() {
    }

    static Result invoke(Node node, NodeSchema schema, Map<String, List<Object>> inputs,
                         IntFunction<NodeContext> contextForCall) throws Exception {
        int slots = schema.outputs().size();
        List<List<Object>> outputs = new ArrayList<>(slots);
        for (int s = 0; s < slots; s++) {
            outputs.add(new ArrayList<>());
        }
        Map<String, List<Object>> ui = new LinkedHashMap<>();
        List<Subgraph> expansions = new ArrayList<>();
        List<List<Object>> expansionValues = new ArrayList<>();
        String blockerMessage;

        List<Map<String, Object>> calls = schema.inputIsList() ? List.of(new LinkedHashMap<>(inputs)) : slice(inputs);
        try {
            blockerMessage = callAll(node, schema, calls, contextForCall, outputs, ui, expansions, expansionValues);
        } catch (Exception | Error e) {
            // Earlier calls' outputs were retained for the run; nobody will own them now.
            outputs.forEach(NodeInvoker::releaseAll);
            for (List<Object> values : expansionValues) {
                for (int s = 0; s < values.size(); s++) {
                    release(values.get(s), schema.outputs().get(s).isList());
                }
            }
            throw e;
        }
        return new Result(outputs, ui, expansions, expansionValues, blockerMessage);
    }

    private static String callAll(Node node, NodeSchema schema, List<Map<String, Object>> calls,
                                  IntFunction<NodeContext> contextForCall, List<List<Object>> outputs,
                                  Map<String, List<Object>> ui, List<Subgraph> expansions,
                                  List<List<Object>> expansionValues) throws Exception {
        int slots = outputs.size();
        String blockerMessage = null;
        for (int call = 0; call < calls.size(); call++) {
            NodeContext context = contextForCall.apply(call);
            context.checkCancelled();
            ExecutionBlocker blocker = findBlocker(calls.get(call), schema.inputIsList());
            if (blocker != null) {
                if (blocker.message() != null) {
                    blockerMessage = blocker.message();
                }
                for (List<Object> slot : outputs) {
                    slot.add(blocker);
                }
                continue;
            }
            NodeOutput out = callInScope(node, NodeInputs.of(calls.get(call)), context, schema);
            out.ui().forEach((k, v) -> ui.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
            if (out.expansion() != null) {
                expansions.add(out.expansion());
                expansionValues.add(out.values());
                continue;
            }
            for (int s = 0; s < slots; s++) {
                Object value = out.values().get(s);
                if (schema.outputs().get(s).isList()) {
                    outputs.get(s).addAll((List<?>) value);
                } else {
                    outputs.get(s).add(value);
                }
            }
        }
        return blockerMessage;
    }

    /** Releases one reference of every {@link RefCounted} value in a slot's value list. */
    static void releaseAll(List<?> values) {
        for (Object v : values) {
            release(v, false);
        }
    }

    /** The mirror of {@link #retainForRun}. */
    static void release(Object value, boolean listOutput) {
        if (listOutput && value instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof RefCounted rc) {
                    rc.release();
                }
            }
        } else if (value instanceof RefCounted rc) {
            rc.release();
        }
    }

    private static NodeOutput callInScope(Node node, NodeInputs inputs, NodeContext context, NodeSchema schema)
            throws Exception {
        try (PointerScope scope = new PointerScope()) {
            NodeOutput out = node.execute(inputs, context);
            if (out == null) {
                throw new IllegalStateException("execute() returned null; return NodeOutput.none() for no outputs");
            }
            checkArity(out, schema);
            for (int s = 0; s < out.values().size(); s++) {
                retainForRun(out.values().get(s), schema.outputs().get(s).isList());
            }
            return out;
        }
    }

    private static void checkArity(NodeOutput out, NodeSchema schema) {
        List<OutputSpec> specs = schema.outputs();
        if (out.values().size() != specs.size()) {
            throw new IllegalStateException("returned " + out.values().size() + " output value(s) but declares "
                    + specs.size());
        }
        if (out.expansion() != null) {
            return;
        }
        for (int s = 0; s < specs.size(); s++) {
            if (specs.get(s).isList() && !(out.values().get(s) instanceof List)) {
                throw new IllegalStateException("output " + s + " (" + specs.get(s).name()
                        + ") is a list output but the value is not a List");
            }
        }
    }

    /** Takes the run's reference to a returned value (each item of a list output). */
    private static void retainForRun(Object value, boolean listOutput) {
        if (listOutput && value instanceof List) {
            for (Object item : (List<?>) value) {
                if (item instanceof RefCounted rc) {
                    rc.retain();
                }
            }
        } else if (value instanceof RefCounted rc) {
            rc.retain();
        }
    }

    /** The per-call inputs: N = longest list, shorter lists repeat their last item; no inputs means one call. */
    static List<Map<String, Object>> slice(Map<String, List<Object>> inputs) {
        int n = 0;
        for (List<Object> values : inputs.values()) {
            if (values.isEmpty()) {
                return List.of(); // mapping over an empty list: no calls, empty outputs
            }
            n = Math.max(n, values.size());
        }
        if (inputs.isEmpty()) {
            n = 1;
        }
        List<Map<String, Object>> calls = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, Object> call = new LinkedHashMap<>();
            for (Map.Entry<String, List<Object>> e : inputs.entrySet()) {
                List<Object> values = e.getValue();
                call.put(e.getKey(), values.get(Math.min(i, values.size() - 1)));
            }
            calls.add(call);
        }
        return calls;
    }

    private static ExecutionBlocker findBlocker(Map<String, Object> call, boolean lists) {
        for (Object v : call.values()) {
            if (v instanceof ExecutionBlocker b) {
                return b;
            }
            if (lists && v instanceof List<?> list) {
                for (Object item : list) {
                    if (item instanceof ExecutionBlocker b) {
                        return b;
                    }
                }
            }
        }
        return null;
    }
}
