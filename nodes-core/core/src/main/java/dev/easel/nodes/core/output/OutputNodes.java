package dev.easel.nodes.core.output;

import dev.easel.node.Node;
import java.util.List;

/** The output nodes of the core pack. */
public final class OutputNodes {

    private OutputNodes() {
    }

    public static List<Node> all() {
        return List.of(new SaveImage(), new PreviewImage(), new PreviewAny());
    }
}
