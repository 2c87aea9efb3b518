package dev.easel.nodes.core.model.pickle;

/**
 * A reference to an allowed Python class or function (for example a Lightning callback class used as a dict key, or
 * the {@code torch.Tensor} type passed to {@code _rebuild_from_type_v2}); it is a name only.
 */
public record PyGlobal(String module, String name) {

    /** {@code module.name}. */
    public String qualifiedName() {
        return module + "." + name;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
