package dev.easel.plugins.js;

import org.pf4j.Plugin;

/**
 * The plugin's life cycle: when the host stops it (disable, reload, shutdown) the shared sandbox's engine and worker
 * threads are closed, so nothing outside the plugin's class loader still refers to its classes.
 */
public final class JsPlugin extends Plugin {

    @Override
    public void stop() {
        JsSandbox.closeShared();
    }
}
