package dev.easel.runtime;

import dev.easel.node.RefCounted;
import org.bytedeco.javacpp.Pointer;

/**
 * Gives a value's creation reference to the current native-memory scope. Tensors are attached to the innermost
 * {@link org.bytedeco.javacpp.PointerScope} when libtorch creates them, and the engine relies on that: it retains
 * what a node returns and the node's scope drops the creation reference. Values that count their owners themselves
 * (a model over a state dict starts with one owner) need the same treatment; this attaches a marker to the scope
 * whose release gives up that first reference when the scope closes.
 */
public final class ScopeHandOver {

    private ScopeHandOver() {
    }

    /** Attaches {@code value}'s current (creation) reference to the innermost scope; returns {@code value}. */
    public static <T extends RefCounted> T toScope(T value) {
        new ReleaseMarker(value);
        return value;
    }

    /** A pointer with no memory whose deallocation releases one reference of a value. */
    private static final class ReleaseMarker extends Pointer {
        ReleaseMarker(RefCounted value) {
            super((Pointer) null);
            deallocator(value::release);
        }
    }
}
