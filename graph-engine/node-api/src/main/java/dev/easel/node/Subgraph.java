package dev.easel.node;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A graph a node expands into (ComfyUI's {@code GraphBuilder}). Node ids get a prefix made from the parent node's id
 * and the call, so expansions are deterministic and never collide with the workflow's own ids. Obtain one from
 * {@link NodeContext#newSubgraph()}.
 */
public final class Subgraph {

    /** One node of the subgraph: its full id, class and inputs (literals or {@link OutputRef}s). */
    public record Entry(String id, String classType, Map<String, Object> inputs) {
    }

    private final String idPrefix;
    private final Map<String, Entry> nodes = new LinkedHashMap<>();
    private int counter;

    public Subgraph(String idPrefix) {
        this.idPrefix = idPrefix;
    }

    /** Adds a node with an automatic local id and returns a handle to it. */
    public NodeHandle add(String classType, Map<String, ?> inputs) {
        return add(Integer.toString(++counter), classType, inputs);
    }

    /** Adds a node with the given local id (unique within this subgraph). */
    public NodeHandle add(String localId, String classType, Map<String, ?> inputs) {
        String id = idPrefix + localId;
        if (nodes.containsKey(id)) {
            throw new IllegalArgumentException("subgraph already has a node '" + localId + "'");
        }
        nodes.put(id, new Entry(id, classType, Collections.unmodifiableMap(new LinkedHashMap<>(inputs))));
        return new NodeHandle(id);
    }

    /** The nodes by full id, in the order they were added. */
    public Map<String, Entry> nodes() {
        return Collections.unmodifiableMap(nodes);
    }

    public String idPrefix() {
        return idPrefix;
    }

    /** A node added to a subgraph. */
    public record NodeHandle(String id) {
        /** A link to output {@code slot} of this node. */
        public OutputRef out(int slot) {
            return new OutputRef(id, slot);
        }
    }
}
