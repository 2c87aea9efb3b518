package dev.easel.nodes.core.conditioning;

import dev.easel.node.Node;
import java.util.List;

/** The conditioning nodes of the core pack. */
public final class ConditioningNodes {

    private ConditioningNodes() {
    }

    public static List<Node> all() {
        return List.of(new ConditioningCombine(), new ConditioningConcat(), new ConditioningSetArea());
    }
}
