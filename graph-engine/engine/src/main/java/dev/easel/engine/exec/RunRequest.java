package dev.easel.engine.exec;

import dev.easel.engine.validation.ValidatedWorkflow;
import dev.easel.node.OutputJournal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run of a validated workflow.
 *
 * @param promptId  the run's id (ComfyUI's prompt id)
 * @param workflow  what to run
 * @param extraData the request's {@code extra_data} ({@code extra_pnginfo}, {@code client_id}, ...)
 * @param journal   where the run's nodes note the result files they create
 * @param rerunOutputNodes when true, output nodes run even where the engine would reuse their cached result: a job
 *                  run again after a crash, whose first attempt's files were removed, must write them again
 */
public record RunRequest(String promptId, ValidatedWorkflow workflow, Map<String, Object> extraData,
        OutputJournal journal, boolean rerunOutputNodes) {

    public RunRequest {
        extraData = extraData == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extraData));
        journal = journal == null ? OutputJournal.NONE : journal;
    }

    /** A run whose result files nobody recovers. */
    public RunRequest(String promptId, ValidatedWorkflow workflow, Map<String, Object> extraData) {
        this(promptId, workflow, extraData, OutputJournal.NONE, false);
    }
}
