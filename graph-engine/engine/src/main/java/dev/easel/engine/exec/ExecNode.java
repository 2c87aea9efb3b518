package dev.easel.engine.exec;

import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.registry.RegisteredNode;
import dev.easel.engine.workflow.InputValue;
import dev.easel.node.Subgraph;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The run-time state of one node in one run. Guarded by the run's lock. */
final class ExecNode {

    enum State { IDLE, WAITING, READY, RUNNING, EXPANDED, DONE }

    final String id;
    final String displayId;
    final RegisteredNode type;
    final Map<String, Object> literals;
    final Map<String, InputValue.Link> links;
    final int order;
    CacheKey key;
    boolean volatileKey;

    State state = State.IDLE;
    boolean cached;
    /** Lazy inputs the node asked for; their links become dependencies. */
    final Set<String> requestedLazy = new HashSet<>();
    /** Upstream nodes not yet done that this node waits for. */
    int pendingDependencies;
    /** Nodes waiting for this one. */
    final List<ExecNode> waiters = new ArrayList<>();

    /**
     * How many unfinished consumers (links from other nodes of the run, and expansion results) still need this
     * node's outputs. When it reaches 0 on a done node, the run releases its references right away.
     */
    int holders;
    /** True once the run dropped its references to this node's outputs. */
    boolean released;
    /** The cache lease the outputs came from, for cached nodes. */
    dev.easel.engine.cache.CachedOutputs lease;
    /** Per output slot, the content hash; set when the node is done. */
    List<String> slotHashes;
    /** Per output slot, the list of values; set when the node is done. */
    List<List<Object>> outputs;
    Map<String, List<Object>> ui = Map.of();
    /** Results of the calls that expanded, resolved once the subgraph has run. */
    List<List<Object>> pendingExpansionValues;
    List<Subgraph> expansions;
    long computeNanos;

    ExecNode(String id, String displayId, RegisteredNode type, Map<String, Object> literals,
             Map<String, InputValue.Link> links, int order) {
        this.id = id;
        this.displayId = displayId;
        this.type = type;
        this.literals = literals;
        this.links = links;
        this.order = order;
    }

    boolean isLazy(String inputName) {
        return type.schema().input(inputName).map(spec -> spec.lazy()).orElse(false)
                && !requestedLazy.contains(inputName);
    }

    boolean isRawLink(String inputName) {
        return type.schema().input(inputName).map(spec -> spec.rawLink()).orElse(false);
    }

    boolean complete() {
        return state == State.DONE;
    }

    @Override
    public String toString() {
        return id + "(" + type.name() + ")";
    }
}
