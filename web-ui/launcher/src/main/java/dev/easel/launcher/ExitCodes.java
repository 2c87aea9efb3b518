package dev.easel.launcher;

/** The exit codes of {@code easel} (also listed in {@code --help} and the README). */
final class ExitCodes {

    static final int SUCCESS = 0;
    /** Bad command line, unreadable file, not JSON, not an API-format workflow. */
    static final int USAGE = 1;
    /** The workflow failed validation. */
    static final int VALIDATION = 2;
    /** A node failed while running. */
    static final int EXECUTION = 3;
    /** Stopped by Ctrl-C (128 + SIGINT). */
    static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}
