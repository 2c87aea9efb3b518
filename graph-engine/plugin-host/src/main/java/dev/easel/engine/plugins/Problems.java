package dev.easel.engine.plugins;

/** Short, precise descriptions of what went wrong, for reports and JSON. */
final class Problems {

    private Problems() {
    }

    /** The exception and its root cause in one line, e.g. {@code IllegalStateException: boom}. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (root != e) {
            text += " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return text;
    }
}
