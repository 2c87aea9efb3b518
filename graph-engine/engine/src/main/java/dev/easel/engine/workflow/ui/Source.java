package dev.easel.engine.workflow.ui;

import com.fasterxml.jackson.databind.JsonNode;

/** Where a node input gets its value from once reroutes, primitives, bypasses and subgraph borders are seen through. */
sealed interface Source {

    /** Output {@code slot} of the emitted node {@code nodeId} (an API-format id). */
    record Output(String nodeId, int slot) implements Source {
    }

    /** A literal: the value of a PrimitiveNode. */
    record Value(JsonNode value) implements Source {
    }

    /**
     * The chain ends without a source (an unconnected reroute or bypass input): as in the editor, a widget input
     * keeps its own widget value.
     */
    record Dangling() implements Source {
    }

    /** The chain ends at a muted or otherwise removed node: the input is left out. */
    record Removed() implements Source {
    }
}
