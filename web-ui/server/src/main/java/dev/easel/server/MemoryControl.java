package dev.easel.server;

/**
 * What {@code POST /free} can do to the memory of the process (api-contract §2.5); the runner calls it between jobs,
 * never while one runs.
 */
public interface MemoryControl {

    /** Does nothing (tests, or a process with nothing to free). */
    MemoryControl NONE = new MemoryControl() {
        @Override
        public void unloadModels() {
        }

        @Override
        public void freeMemory() {
        }
    };

    /** Moves every model off the compute device ({@code unload_models}). */
    void unloadModels();

    /** Drops what is cached between jobs ({@code free_memory}; the runner unloads the models first). */
    void freeMemory();
}
