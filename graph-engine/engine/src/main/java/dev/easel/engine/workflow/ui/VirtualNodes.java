package dev.easel.engine.workflow.ui;

import java.util.Set;

/**
 * Node types that exist only in ComfyUI's editor: they are never sent to the server. Reroutes pass their input on,
 * a PrimitiveNode's value becomes the value of the inputs it feeds, notes have no connections at all.
 */
final class VirtualNodes {

    enum Kind { NONE, REROUTE, PRIMITIVE, OTHER }

    private static final Set<String> OTHERS = Set.of("Note", "MarkdownNote");

    private VirtualNodes() {
    }

    static Kind kind(String type) {
        return switch (type) {
            case "Reroute" -> Kind.REROUTE;
            case "PrimitiveNode" -> Kind.PRIMITIVE;
            default -> OTHERS.contains(type) ? Kind.OTHER : Kind.NONE;
        };
    }

    static boolean isVirtual(String type) {
        return kind(type) != Kind.NONE;
    }
}
