package dev.easel.node;

/**
 * A value a node may return in place of an output to block everything downstream of it (ComfyUI's
 * {@code ExecutionBlocker}): a node that receives a blocker on any input is not run and passes the blocker on. With a
 * message, an output node reached by it reports an execution error; without one, the branch is skipped silently.
 */
public final class ExecutionBlocker {

    private final String message;

    private ExecutionBlocker(String message) {
        this.message = message;
    }

    /** A blocker that reports {@code message} as an error when it reaches an output node. */
    public static ExecutionBlocker withMessage(String message) {
        return new ExecutionBlocker(message);
    }

    /** A blocker that silently skips the branch. */
    public static ExecutionBlocker silent() {
        return new ExecutionBlocker(null);
    }

    /** The message, or {@code null} for a silent blocker. */
    public String message() {
        return message;
    }

    @Override
    public String toString() {
        return message == null ? "ExecutionBlocker" : "ExecutionBlocker(" + message + ")";
    }
}
