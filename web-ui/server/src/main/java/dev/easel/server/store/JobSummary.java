package dev.easel.server.store;

/**
 * One job as {@code /api/jobs} lists it: what the store can tell without reading the whole history entry.
 *
 * @param promptId        the job's id
 * @param number          its queue number (ComfyUI's {@code priority})
 * @param createdAtMillis when it was queued
 * @param status          its status
 * @param startedAtMillis the {@code execution_start} timestamp of a finished job, or null
 * @param endedAtMillis   the timestamp of its final {@code execution_success|error|interrupted} message, or null
 * @param workflowId      {@code extra_data.extra_pnginfo.workflow.id}, or null
 * @param outputsJson     the history entry's {@code outputs} (JSON text) of a finished job, else null
 * @param errorJson       the data of its final {@code execution_error} message (JSON text), else null
 */
public record JobSummary(String promptId, long number, long createdAtMillis, JobStatus status, Long startedAtMillis,
        Long endedAtMillis, String workflowId, String outputsJson, String errorJson) {
}
