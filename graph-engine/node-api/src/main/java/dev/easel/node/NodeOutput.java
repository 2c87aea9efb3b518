package dev.easel.node;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one node call returns: one value per declared output (a {@link List} for list outputs), an optional UI
 * result (ComfyUI's {@code ui} dict: {@code images}, {@code text}, ...), and optionally a subgraph to expand into.
 */
public final class NodeOutput {

    private final List<Object> values;
    private final Map<String, List<Object>> ui;
    private final Subgraph expansion;

    private NodeOutput(List<Object> values, Map<String, List<Object>> ui, Subgraph expansion) {
        this.values = values;
        this.ui = ui;
        this.expansion = expansion;
    }

    /** The output values in declaration order. */
    public static NodeOutput of(Object... values) {
        return new NodeOutput(Collections.unmodifiableList(Arrays.asList(values.clone())), Map.of(), null);
    }

    /** No output values (an output node that only reports UI). */
    public static NodeOutput none() {
        return of();
    }

    /**
     * Node expansion: the node is replaced by {@code graph}, and its outputs are {@code values}, each either a plain
     * value or an {@link OutputRef} to a node of the subgraph (or of the enclosing workflow).
     */
    public static NodeOutput expand(Subgraph graph, Object... values) {
        if (graph == null) {
            throw new IllegalArgumentException("expansion needs a subgraph");
        }
        return new NodeOutput(Collections.unmodifiableList(Arrays.asList(values.clone())), Map.of(), graph);
    }

    /** Adds a UI entry, for example {@code withUi("images", List.of(Map.of("filename", ...)))}. */
    public NodeOutput withUi(String key, List<?> items) {
        Map<String, List<Object>> merged = new LinkedHashMap<>(ui);
        merged.put(key, List.copyOf(items));
        return new NodeOutput(values, Collections.unmodifiableMap(merged), expansion);
    }

    public List<Object> values() {
        return values;
    }

    /** The UI result; empty when the node has none. */
    public Map<String, List<Object>> ui() {
        return ui;
    }

    /** The subgraph to expand into, or {@code null}. */
    public Subgraph expansion() {
        return expansion;
    }
}
