package dev.easel.engine.registry;

import dev.easel.node.Node;
import dev.easel.node.NodeSchema;

/**
 * A node type known to the engine, with the pack that provides it.
 *
 * @param node   the implementation
 * @param schema its schema, read once at registration
 * @param packId the id of the node pack it came from
 */
public record RegisteredNode(Node node, NodeSchema schema, String packId) {

    public String name() {
        return schema.name();
    }
}
