package dev.easel.launcher;

import dev.easel.engine.cache.OutputCache;
import dev.easel.node.RuntimeInfo;
import dev.easel.runtime.TorchRuntime;
import dev.easel.server.MemoryControl;

/**
 * What {@code POST /free} frees in {@code easel serve} (the server calls it between jobs). {@code unload_models}
 * moves every idle model off the compute device (the runtime's model placement; nothing moves on a CPU-only machine,
 * where the models already are in host memory). {@code free_memory} also drops the cache's RAM entries, model
 * loaders' outputs included, which releases their weights; the disk tier is kept, since other processes share it
 * and it survives restarts by design.
 */
final class ServeMemory implements MemoryControl {

    private final RuntimeInfo runtime;
    private final OutputCache cache;

    ServeMemory(RuntimeInfo runtime, OutputCache cache) {
        this.runtime = runtime;
        this.cache = cache;
    }

    @Override
    public void unloadModels() {
        if (runtime instanceof TorchRuntime torch) {
            torch.placement().offloadAll();
        }
    }

    @Override
    public void freeMemory() {
        cache.clear();
    }
}
