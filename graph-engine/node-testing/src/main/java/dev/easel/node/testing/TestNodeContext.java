package dev.easel.node.testing;

import dev.easel.node.CancelledException;
import dev.easel.node.Folders;
import dev.easel.node.NodeContext;
import dev.easel.node.Preview;
import dev.easel.node.RuntimeInfo;
import dev.easel.node.Subgraph;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link NodeContext} for calling one node outside the engine, in a pack's unit tests: {@code output/},
 * {@code input/} and {@code temp/} folders under a root of the test's, the progress the node reports and the lines
 * it logs recorded, and a cancel switch. The node is {@code "1"} of prompt {@code "test"}; its runtime is a CPU
 * without acceleration unless the test gives another (packs that run libtorch pass a real one).
 *
 * <pre>{@code
 * TestNodeContext context = new TestNodeContext(tempDir);
 * NodeOutput out = new MultiplyAdd().execute(NodeInputs.of(Map.of("a", 2, "b", 3, "c", 1)), context);
 * }</pre>
 */
public class TestNodeContext implements NodeContext {

    /** A progress report: {@code value} of {@code max}, with a preview image or none. */
    public record Progress(long value, long max, Preview preview) {
    }

    private final Folders folders;
    private final RuntimeInfo runtime;
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final List<Progress> progress = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    /** Folders under a new temporary directory; a CPU runtime. */
    public TestNodeContext() {
        this(temporaryRoot());
    }

    /** Folders under {@code root} (created); a CPU runtime. */
    public TestNodeContext(Path root) {
        this(root, RuntimeInfo.fixed("cpu", false));
    }

    /** Folders under {@code root} (created) and the given runtime. */
    public TestNodeContext(Path root, RuntimeInfo runtime) {
        this.folders = Folders.of(mkdirs(root.resolve("output")), mkdirs(root.resolve("input")),
                mkdirs(root.resolve("temp")));
        this.runtime = runtime;
    }

    private static Path temporaryRoot() {
        try {
            return Files.createTempDirectory("easel-node-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines logged through {@link #logger()}, formatted, in order. */
    public List<String> logged() {
        return logged;
    }

    /** The progress reported so far, in order. */
    public List<Progress> progressReports() {
        return progress;
    }

    /** Cancels the run: {@link #isCancelled()} is true and {@link #checkCancelled()} throws from now on. */
    public void cancel() {
        cancelled = true;
    }

    @Override
    public String nodeId() {
        return "1";
    }

    @Override
    public String displayNodeId() {
        return "1";
    }

    @Override
    public String promptId() {
        return "test";
    }

    @Override
    public void progress(long value, long max) {
        progress(value, max, null);
    }

    @Override
    public void progress(long value, long max, Preview preview) {
        progress.add(new Progress(value, max, preview));
        checkCancelled();
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void checkCancelled() {
        if (cancelled) {
            throw new CancelledException("the test cancelled the run");
        }
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
                logged.add(params == null || params.length == 0 ? format : MessageFormat.format(format, params));
            }
        };
    }

    @Override
    public RuntimeInfo runtime() {
        return runtime;
    }

    @Override
    public Folders folders() {
        return folders;
    }

    @Override
    public Subgraph newSubgraph() {
        return new Subgraph("1.0.");
    }
}
