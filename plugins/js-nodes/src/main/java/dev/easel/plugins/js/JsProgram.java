package dev.easel.plugins.js;

import java.util.List;

/**
 * JavaScript source that evaluates to exactly one function, compiled once in each sandbox context that runs it.
 *
 * @param name       the source name shown in errors ({@code "JavaScriptExpression"}, {@code "text.js"})
 * @param candidates the sources to try in order, each {@code "(function ...)"}; the first that parses is used, so
 *                   an inline script can be an expression or a function body
 */
public record JsProgram(String name, List<String> candidates) {

    public JsProgram {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException(name + ": a program needs a source");
        }
        candidates = List.copyOf(candidates);
    }

    /** The pool key: programs with the same name and sources share warm contexts. */
    String key() {
        return name + '\u0000' + String.join("\u0000", candidates);
    }
}
