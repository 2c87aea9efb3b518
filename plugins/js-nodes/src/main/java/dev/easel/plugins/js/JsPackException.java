package dev.easel.plugins.js;

/** A JavaScript pack that cannot be loaded; the message names the pack folder, file, node and input concerned. */
public final class JsPackException extends Exception {

    public JsPackException(String message) {
        super(message);
    }
}
