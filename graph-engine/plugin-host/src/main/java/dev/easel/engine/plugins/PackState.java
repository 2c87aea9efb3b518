package dev.easel.engine.plugins;

/** Where a node pack loaded as a plugin stands. */
public enum PackState {
    /** Loaded, started, its nodes registered. */
    STARTED,
    /** Turned off by a person (kept across restarts); nothing of it is loaded. */
    DISABLED,
    /** Could not be loaded, started or registered; the reason says why. Nothing of it stays loaded. */
    FAILED;

    /** The lower-case name used in JSON and on the command line. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
