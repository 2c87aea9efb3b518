package dev.easel.engine.exec;

/**
 * Engine settings.
 *
 * @param parallelism how many nodes of independent branches may run at once; 1 runs everything in order on the
 *                    caller's thread. Nodes that use an accelerator are serialized whatever this is.
 */
public record EngineSettings(int parallelism) {

    public EngineSettings {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1: " + parallelism);
        }
    }

    /** One node at a time per core. */
    public static EngineSettings defaults() {
        return new EngineSettings(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public static EngineSettings sequential() {
        return new EngineSettings(1);
    }
}
