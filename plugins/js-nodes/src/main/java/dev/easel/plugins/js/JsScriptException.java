package dev.easel.plugins.js;

/**
 * A script that failed: a syntax error, an exception it threw, a limit it ran into, or a result that is not plain
 * data. The message says which script (file and line where known) and why, for a person.
 */
public final class JsScriptException extends Exception {

    /** Why the evaluation failed. */
    public enum Kind {
        /** The source does not parse. */
        SYNTAX,
        /** The script threw (or its promise was rejected). */
        THROWN,
        /** A statement, time or allocation limit stopped it, or the run was cancelled. */
        LIMIT,
        /** The script's result cannot leave the sandbox (wrong type, too large, getters, cycles). */
        RESULT
    }

    private final Kind kind;
    private final String console;

    public JsScriptException(Kind kind, String message, String console) {
        super(message);
        this.kind = kind;
        this.console = console == null ? "" : console;
    }

    public Kind kind() {
        return kind;
    }

    /** What the script wrote to its console before it failed (bounded). */
    public String console() {
        return console;
    }
}
