package dev.easel.server;

/**
 * The {@code /free} requests not yet applied, as ComfyUI's queue flags: they add up until the runner applies them
 * between jobs ({@link #applyPending}); {@code free_memory} also unloads the models.
 */
public final class MemoryRequests {

    private final MemoryControl control;
    private boolean unload;
    private boolean free;

    public MemoryRequests(MemoryControl control) {
        this.control = control;
    }

    /** Records a {@code /free} request; applied after the running job, if any. */
    public synchronized void request(boolean unloadModels, boolean freeMemory) {
        unload |= unloadModels;
        free |= freeMemory;
    }

    /** Applies and clears what was requested; called by the runner when no job runs. */
    public void applyPending() {
        boolean unloadNow;
        boolean freeNow;
        synchronized (this) {
            unloadNow = unload || free;
            freeNow = free;
            unload = false;
            free = false;
        }
        if (unloadNow) {
            control.unloadModels();
        }
        if (freeNow) {
            control.freeMemory();
        }
    }
}
