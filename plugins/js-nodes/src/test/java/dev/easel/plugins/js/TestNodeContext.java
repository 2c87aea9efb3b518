package dev.easel.plugins.js;

import dev.easel.node.Folders;
import dev.easel.node.NodeContext;
import dev.easel.node.Preview;
import dev.easel.node.RuntimeInfo;
import dev.easel.node.Subgraph;
import java.nio.file.Path;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link NodeContext} for calling one node outside the engine: records log lines, can be cancelled. */
final class TestNodeContext implements NodeContext {

    final List<String> logged = new CopyOnWriteArrayList<>();
    volatile boolean cancelled;

    @Override
    public String nodeId() {
        return "7";
    }

    @Override
    public String displayNodeId() {
        return "7";
    }

    @Override
    public String promptId() {
        return "test";
    }

    @Override
    public void progress(long value, long max) {
    }

    @Override
    public void progress(long value, long max, Preview preview) {
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void checkCancelled() {
    }

    @Override
    public System.Logger logger() {
        return new System.Logger() {
            @Override
            public String getName() {
                return "test";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                logged.add(msg);
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                logged.add(java.text.MessageFormat.format(format, params));
            }
        };
    }

    @Override
    public RuntimeInfo runtime() {
        throw new UnsupportedOperationException("JavaScript nodes do not use the runtime");
    }

    @Override
    public Folders folders() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        return Folders.of(tmp, tmp, tmp);
    }

    @Override
    public Subgraph newSubgraph() {
        return new Subgraph("7.0.");
    }
}
