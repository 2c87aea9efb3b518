package dev.easel.server.store;

import java.util.Set;

/**
 * Which jobs {@link JobStore#jobs} lists and in what order (ComfyUI's {@code /api/jobs} parameters).
 *
 * @param statuses   the statuses to include (empty: none)
 * @param workflowId only jobs whose {@code extra_data.extra_pnginfo.workflow.id} is this; null for any
 * @param order      the sort key
 * @param descending newest (or longest) first
 * @param limit      at most this many jobs; negative for no limit
 * @param offset     jobs to skip first (at least 0)
 */
public record JobQuery(Set<JobStatus> statuses, String workflowId, Order order, boolean descending, int limit,
        int offset) {

    /** The sort keys. */
    public enum Order {
        /** When the job was queued. */
        CREATED_AT,
        /** Execution end minus start; 0 for jobs without both. */
        EXECUTION_DURATION
    }

    public JobQuery {
        statuses = Set.copyOf(statuses);
        if (order == null) {
            throw new IllegalArgumentException("a job query needs an order");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("job query offset must not be negative: " + offset);
        }
    }
}
