package dev.easel.nodes.core.model.pickle;

/**
 * A pickle asked for a global (a Python class or function) outside the allow-list of {@link RestrictedUnpickler}.
 * Nothing was executed: the unpickler stops at the reference, before anything could call it.
 */
public final class PickleSecurityException extends PickleException {

    private final String global;

    /**
     * @param source the file (and zip entry) that holds the pickle
     * @param global the refused global as {@code module.name}, for example {@code os.system}
     */
    public PickleSecurityException(String source, String global) {
        this(source, global, "refusing to load global '" + global
                + "': it is not one of the allowed classes and functions (state dicts, tensors, storages and"
                + " checkpoint metadata); the file may try to run code when loaded by Python");
    }

    /** A refusal with a specific reason (for example a known-dangerous torch function). */
    public PickleSecurityException(String source, String global, String problem) {
        super(source, problem);
        this.global = global;
    }

    /** The refused global as {@code module.name}. */
    public String global() {
        return global;
    }
}
