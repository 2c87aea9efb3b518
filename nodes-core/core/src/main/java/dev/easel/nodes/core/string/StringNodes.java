package dev.easel.nodes.core.string;

import dev.easel.node.Node;
import java.util.List;

/** The string nodes, in ComfyUI's order, then Easel's own. */
public final class StringNodes {

    static final String CATEGORY = "utils/string";

    private StringNodes() {
    }

    public static List<Node> all() {
        return List.of(new StringConcatenate(), new StringSubstring(), new StringLength(), new StringReplace(),
                new StringFormat());
    }
}
