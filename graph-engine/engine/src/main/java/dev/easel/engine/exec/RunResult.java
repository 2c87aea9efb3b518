package dev.easel.engine.exec;

import dev.easel.engine.event.RunEvent;
import java.util.List;
import java.util.Map;

/**
 * How a run ended.
 *
 * @param status   success, error or interrupted
 * @param outputs  the UI results of the nodes that have one, by node id (ComfyUI's history {@code outputs})
 * @param executed the nodes that actually ran, in completion order
 * @param cached   the nodes served from the cache
 * @param failure  the error or interruption event, or {@code null} on success
 */
public record RunResult(Status status, Map<String, Map<String, List<Object>>> outputs, List<String> executed,
                        List<String> cached, RunEvent failure) {

    public enum Status { SUCCESS, ERROR, INTERRUPTED }

    public boolean succeeded() {
        return status == Status.SUCCESS;
    }
}
