package dev.easel.plugins.js;

import java.util.List;

/** Turns an inline node's script into a program: an expression if it parses as one, a function body otherwise. */
final class InlineScripts {

    /** The parameters every inline script sees. */
    static final List<String> PARAMETERS = List.of("a", "b", "c", "d");

    private InlineScripts() {
    }

    static JsProgram program(String name, String script) {
        String params = String.join(", ", PARAMETERS);
        // The script starts on the wrapper's first line, so the line numbers in errors are the script's own.
        return new JsProgram(name, List.of(
                "(function (" + params + ") { return (" + script + "\n) })",
                // The inner block lets the script declare its own a..d with let/const.
                "(function (" + params + ") { {" + script + "\n} })"));
    }
}
