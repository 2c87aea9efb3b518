package dev.easel.nodes.core.testing;

import dev.easel.node.RuntimeInfo;
import dev.easel.node.testing.TestNodeContext;
import dev.easel.runtime.ComputeDevice;
import dev.easel.runtime.DtypePolicy;
import dev.easel.runtime.MemoryStats;
import dev.easel.runtime.Torch;
import dev.easel.runtime.TorchRuntime;
import java.nio.file.Path;

/**
 * The pack authors' {@link TestNodeContext} with the real libtorch runtime on the CPU, for the core nodes' tests.
 */
public final class FakeNodeContext extends TestNodeContext {

    public FakeNodeContext(Path root) {
        super(root, cpuRuntime());
    }

    private static RuntimeInfo cpuRuntime() {
        Torch.load();
        return new TorchRuntime(ComputeDevice.CPU, DtypePolicy.fromSystemProperties(), new MemoryStats());
    }
}
