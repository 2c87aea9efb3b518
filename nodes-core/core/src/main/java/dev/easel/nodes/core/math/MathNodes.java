package dev.easel.nodes.core.math;

import dev.easel.node.Node;
import java.util.List;

/** Easel's arithmetic and conversion nodes. */
public final class MathNodes {

    static final String CATEGORY = "utils/math";

    private MathNodes() {
    }

    public static List<Node> all() {
        return List.of(new IntMath(), new FloatMath(), new IntToFloat(), new FloatToInt());
    }
}
