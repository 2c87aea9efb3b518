package dev.easel.node;

/**
 * A reference to output {@code slot} of node {@code nodeId}: a link. Used when building an expansion
 * {@link Subgraph} and by {@link InputSpec.Builder#rawLink() raw-link} inputs.
 */
public record OutputRef(String nodeId, int slot) {

    public OutputRef {
        if (nodeId == null || nodeId.isEmpty()) {
            throw new IllegalArgumentException("node id must not be empty");
        }
        if (slot < 0) {
            throw new IllegalArgumentException("slot must be >= 0: " + slot);
        }
    }
}
