package dev.easel.engine.workflow.ui;

/**
 * A graph seen from one place in the flattened workflow: the root (empty prefix), or one subgraph instance, whose
 * nodes get the prefix {@code "<instance path>:"} (api-contract §4.1 colon paths).
 *
 * @param parent   the scope the instance node lives in; null for the root
 * @param instance the subgraph instance node in {@code parent}; null for the root
 */
record UiScope(String prefix, UiGraph graph, UiScope parent, UiGraph.Node instance) {

    static UiScope root(UiGraph graph) {
        return new UiScope("", graph, null, null);
    }

    /** The scope inside {@code instance}, a node of this scope whose type is the subgraph {@code definition}. */
    UiScope enter(UiGraph.Node instance, UiGraph definition) {
        return new UiScope(prefix + instance.id() + ":", definition, this, instance);
    }

    /** The API-format id of a node of this scope. */
    String apiId(String nodeId) {
        return prefix + nodeId;
    }
}
