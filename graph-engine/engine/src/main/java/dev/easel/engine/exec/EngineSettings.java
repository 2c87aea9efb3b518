package dev.easel.engine.exec;

/**
 * Engine settings.
 *
 * @param parallelism       how many nodes of independent branches may run at once; 1 runs everything in order on
 *                          the caller's thread. Nodes that use an accelerator are serialized whatever this is.
 * @param reuseOutputNodes  when true (ComfyUI's behaviour, for the server), an output node whose key is cached is
 *                          not run again and its UI is re-sent; when false (the command line), output nodes always
 *                          run, so every run writes its files, while everything above them still comes from the cache
 */
public record EngineSettings(int parallelism, boolean reuseOutputNodes) {

    public EngineSettings {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1: " + parallelism);
        }
    }

    public EngineSettings(int parallelism) {
        this(parallelism, true);
    }

    /** One node at a time per core. */
    public static EngineSettings defaults() {
        return new EngineSettings(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public static EngineSettings sequential() {
        return new EngineSettings(1);
    }

    public EngineSettings withReuseOutputNodes(boolean reuse) {
        return new EngineSettings(parallelism, reuse);
    }
}
