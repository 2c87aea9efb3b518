package dev.easel.server.store;

/**
 * One job with everything {@code /api/jobs/{id}} shows.
 *
 * @param summary     what the list shows of it
 * @param job         the job as queued (its prompt and {@code extra_data})
 * @param historyJson its history entry when it has finished, else null
 */
public record JobDetail(JobSummary summary, JobStore.Job job, String historyJson) {
}
