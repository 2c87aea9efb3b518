package dev.easel.runtime.placement;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps models on the compute device while nodes use them and within a byte budget (ComfyUI's
 * {@code load_models_gpu}, without its estimates): {@link #use} moves a model to the compute device, first offloading
 * the least recently used models nobody is using until the budget allows it. Models stay on the device after use
 * ("smart memory") until the space is needed or {@link #offloadAll()} is called. On a CPU-only machine the compute
 * and offload devices are the same and nothing moves.
 */
public final class ModelPlacement {

    private final String computeDevice;
    private final String offloadDevice;
    private final long deviceBudgetBytes;
    /** Models on the compute device, least recently used first. */
    private final LinkedHashMap<Placeable, Integer> resident = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Placeable, Integer> users = new IdentityHashMap<>();

    /**
     * @param deviceBudgetBytes how many bytes of weights may sit on the compute device at once
     */
    public ModelPlacement(String computeDevice, String offloadDevice, long deviceBudgetBytes) {
        this.computeDevice = computeDevice;
        this.offloadDevice = offloadDevice;
        this.deviceBudgetBytes = deviceBudgetBytes;
    }

    /** A model in use on the compute device; close it when the node is done. */
    public final class Lease implements AutoCloseable {
        private final Placeable model;
        private boolean closed;

        private Lease(Placeable model) {
            this.model = model;
        }

        public Placeable model() {
            return model;
        }

        @Override
        public void close() {
            synchronized (ModelPlacement.this) {
                if (!closed) {
                    closed = true;
                    users.merge(model, -1, Integer::sum);
                    if (users.get(model) <= 0) {
                        users.remove(model);
                    }
                }
            }
        }
    }

    /**
     * Moves {@code model} to the compute device (offloading idle models if the budget requires) and keeps it there
     * until the lease is closed. A model larger than the whole budget is still placed: nothing else stays beside it.
     */
    public synchronized Lease use(Placeable model) {
        users.merge(model, 1, Integer::sum);
        if (computeDevice.equals(offloadDevice)) {
            return new Lease(model);
        }
        if (!resident.containsKey(model)) {
            makeRoom(model.weightBytes());
            model.moveTo(computeDevice);
        }
        resident.put(model, 0); // also marks it most recently used
        return new Lease(model);
    }

    /** Moves every model nobody is using back to the offload device (ComfyUI's {@code /free unload_models}). */
    public synchronized void offloadAll() {
        for (Placeable model : new ArrayList<>(resident.keySet())) {
            if (!users.containsKey(model)) {
                offload(model);
            }
        }
    }

    /** Forgets a model (it is being freed); offloads it first if it is resident and unused. */
    public synchronized void forget(Placeable model) {
        if (resident.containsKey(model) && !users.containsKey(model)) {
            offload(model);
        }
        resident.remove(model);
    }

    /** Bytes of weights on the compute device now. */
    public synchronized long residentBytes() {
        return resident.keySet().stream().mapToLong(Placeable::weightBytes).sum();
    }

    public synchronized List<Placeable> residentModels() {
        return List.copyOf(resident.keySet());
    }

    private void makeRoom(long needed) {
        long used = residentBytes();
        for (Placeable candidate : new ArrayList<>(resident.keySet())) { // least recently used first
            if (used + needed <= deviceBudgetBytes) {
                return;
            }
            if (!users.containsKey(candidate)) {
                used -= candidate.weightBytes();
                offload(candidate);
            }
        }
    }

    private void offload(Placeable model) {
        model.moveTo(offloadDevice);
        resident.remove(model);
    }
}
