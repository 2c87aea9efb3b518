package dev.easel.engine.workflow;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An API-format workflow ("prompt"): nodes by id, in the order they were written. */
public final class Workflow {

    private final Map<String, WorkflowNode> nodes;

    public Workflow(Map<String, WorkflowNode> nodes) {
        this.nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
    }

    public WorkflowNode node(String id) {
        return nodes.get(id);
    }

    public boolean contains(String id) {
        return nodes.containsKey(id);
    }

    public Set<String> ids() {
        return nodes.keySet();
    }

    public Collection<WorkflowNode> nodes() {
        return nodes.values();
    }

    public int size() {
        return nodes.size();
    }

    /** A copy with one input of one node replaced (used by {@code easel run --set NODE.INPUT=VALUE}). */
    public Workflow withInput(String nodeId, String inputName, InputValue value) {
        WorkflowNode node = nodes.get(nodeId);
        if (node == null) {
            throw new IllegalArgumentException("the workflow has no node '" + nodeId + "'");
        }
        Map<String, InputValue> inputs = new LinkedHashMap<>(node.inputs());
        inputs.put(inputName, value);
        Map<String, WorkflowNode> copy = new LinkedHashMap<>(nodes);
        copy.put(nodeId, new WorkflowNode(nodeId, node.classType(), inputs, node.title()));
        return new Workflow(copy);
    }

    /** The workflow as plain Java maps in API format (what a node's PROMPT hidden input receives). */
    public Map<String, Object> toPlainMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (WorkflowNode node : nodes.values()) {
            Map<String, Object> inputs = new LinkedHashMap<>();
            node.inputs().forEach((name, value) -> inputs.put(name, plain(value)));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("inputs", inputs);
            json.put("class_type", node.classType());
            if (node.title() != null) {
                json.put("_meta", Map.of("title", node.title()));
            }
            out.put(node.id(), json);
        }
        return out;
    }

    private static Object plain(InputValue value) {
        if (value instanceof InputValue.Link link) {
            List<Object> pair = new ArrayList<>(2);
            pair.add(link.nodeId());
            pair.add(link.slot());
            return pair;
        }
        if (value instanceof InputValue.BadLink bad) {
            return bad.raw();
        }
        Object literal = ((InputValue.Literal) value).value();
        return literal instanceof List<?> list ? Map.of("__value__", list) : literal;
    }
}
