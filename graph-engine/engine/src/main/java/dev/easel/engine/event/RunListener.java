package dev.easel.engine.event;

/**
 * Receives the events of a run, in order. Calls come from the engine's threads but never overlap, so a listener
 * needs no locking of its own; it should return quickly (hand off to a queue for network I/O).
 */
@FunctionalInterface
public interface RunListener {

    RunListener NONE = event -> { };

    void onEvent(RunEvent event);
}
