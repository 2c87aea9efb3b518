package dev.easel.launcher;

import dev.easel.node.RuntimeInfo;
import dev.easel.runtime.Torch;
import dev.easel.runtime.TorchRuntime;

/** The runtime a CLI run uses: libtorch, configured from the {@code easel.*} system properties. */
final class Runtimes {

    private Runtimes() {
    }

    static RuntimeInfo torch() {
        Torch.load();
        return TorchRuntime.fromSystemProperties();
    }
}
