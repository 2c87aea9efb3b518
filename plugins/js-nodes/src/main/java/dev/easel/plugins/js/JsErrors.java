package dev.easel.plugins.js;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SourceSection;

/** Turns GraalVM's exceptions into one line for a person: where (file:line) and what. */
final class JsErrors {

    private JsErrors() {
    }

    static String describe(String programName, PolyglotException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e.isSyntaxError()) {
            message = syntaxMessage(programName, message);
        }
        SourceSection at = e.getSourceLocation();
        if (at == null || !isIn(at, programName)) {
            at = firstFrameIn(e, programName);
        }
        String where = at != null ? programName + ":" + at.getStartLine() : programName;
        // GraalVM prefixes syntax errors with name:line:column already; do not say it twice.
        if (message.startsWith(programName + ":")) {
            return message;
        }
        return where + ": " + message;
    }

    /**
     * GraalVM's "SyntaxError: name:line:column message" plus a source excerpt (which shows the sandbox's wrapper), cut
     * to "SyntaxError: message"; the line is added from the source location.
     */
    private static String syntaxMessage(String programName, String message) {
        String first = message.lines().findFirst().orElse(message);
        String location = programName + ":";
        int at = first.indexOf(location);
        if (at >= 0) {
            int space = first.indexOf(' ', at);
            first = first.substring(0, at) + (space < 0 ? "" : first.substring(space + 1));
        }
        return first.startsWith("SyntaxError") ? first : "SyntaxError: " + first;
    }

    /** The innermost frame in the script itself (not in the sandbox's prelude). */
    private static SourceSection firstFrameIn(PolyglotException e, String programName) {
        for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
            if (frame.isGuestFrame() && isIn(frame.getSourceLocation(), programName)) {
                return frame.getSourceLocation();
            }
        }
        return null;
    }

    private static boolean isIn(SourceSection section, String programName) {
        return section != null && section.getSource() != null && section.getSource().getName().equals(programName);
    }
}
