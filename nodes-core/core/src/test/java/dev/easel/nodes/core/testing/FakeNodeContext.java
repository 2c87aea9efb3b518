package dev.easel.nodes.core.testing;

import dev.easel.node.Folders;
import dev.easel.node.NodeContext;
import dev.easel.node.Preview;
import dev.easel.node.RuntimeInfo;
import dev.easel.node.Subgraph;
import dev.easel.runtime.ComputeDevice;
import dev.easel.runtime.DtypePolicy;
import dev.easel.runtime.MemoryStats;
import dev.easel.runtime.Torch;
import dev.easel.runtime.TorchRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link NodeContext} for running one node outside the engine: real folders under a temp dir, a CPU runtime. */
public final class FakeNodeContext implements NodeContext {

    private final Path output;
    private final Path input;
    private final Path temp;
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final RuntimeInfo runtime;

    public FakeNodeContext(Path root) {
        this.output = mkdirs(root.resolve("output"));
        this.input = mkdirs(root.resolve("input"));
        this.temp = mkdirs(root.resolve("temp"));
        Torch.load();
        this.runtime = new TorchRuntime(ComputeDevice.CPU, DtypePolicy.fromSystemProperties(), new MemoryStats());
    }

    private static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Messages logged through {@link #logger()}, formatted. */
    public List<String> logged() {
        return logged;
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
        return "test-prompt";
    }

    @Override
    public void progress(long value, long max) {
    }

    @Override
    public void progress(long value, long max, Preview preview) {
    }

    @Override
    public boolean isCancelled() {
        return false;
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
        return runtime;
    }

    @Override
    public Folders folders() {
        return Folders.of(output, input, temp);
    }

    @Override
    public Subgraph newSubgraph() {
        return new Subgraph("1.0.");
    }
}
