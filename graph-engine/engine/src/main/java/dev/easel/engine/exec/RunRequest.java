package dev.easel.engine.exec;

import dev.easel.engine.validation.ValidatedWorkflow;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run of a validated workflow.
 *
 * @param promptId  the run's id (ComfyUI's prompt id)
 * @param workflow  what to run
 * @param extraData the request's {@code extra_data} ({@code extra_pnginfo}, {@code client_id}, ...)
 */
public record RunRequest(String promptId, ValidatedWorkflow workflow, Map<String, Object> extraData) {

    public RunRequest {
        extraData = extraData == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extraData));
    }
}
