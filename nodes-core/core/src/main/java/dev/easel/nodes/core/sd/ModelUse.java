package dev.easel.nodes.core.sd;

import dev.easel.node.NodeContext;
import dev.easel.runtime.TorchRuntime;
import dev.easel.runtime.placement.ModelPlacement;
import dev.easel.runtime.placement.Placeable;
import java.util.ArrayList;
import java.util.List;

/**
 * The models a node computes with, on the compute device for as long as it runs: leases from the runtime's
 * {@link ModelPlacement} (which moves weights to the accelerator and offloads idle ones under its budget). Without a
 * libtorch runtime (tests with a plain RuntimeInfo) or on the CPU nothing moves. Close it when the computation is done.
 */
public final class ModelUse implements AutoCloseable {

    /** For contexts without a TorchRuntime: compute and offload device are the same, so nothing moves. */
    private static final ModelPlacement LOCAL = new ModelPlacement("cpu", "cpu", Long.MAX_VALUE);

    private final List<ModelPlacement.Lease> leases = new ArrayList<>();

    private ModelUse() {
    }

    /** Leases {@code models} for the node running in {@code context} (null: no runtime, nothing moves). */
    public static ModelUse of(NodeContext context, List<? extends Placeable> models) {
        ModelPlacement placement = context != null && context.runtime() instanceof TorchRuntime torch
                ? torch.placement() : LOCAL;
        ModelUse use = new ModelUse();
        try {
            for (Placeable model : models) {
                use.leases.add(placement.use(model));
            }
        } catch (RuntimeException e) {
            use.close();
            throw e;
        }
        return use;
    }

    /** {@link #of(NodeContext, List)} for one model. */
    public static ModelUse of(NodeContext context, Placeable model) {
        return of(context, List.of(model));
    }

    @Override
    public void close() {
        for (ModelPlacement.Lease lease : leases) {
            lease.close();
        }
        leases.clear();
    }
}
