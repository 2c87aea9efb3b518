package dev.easel.server.store;

import java.util.List;

/**
 * A page of {@link JobStore#jobs}.
 *
 * @param jobs  the jobs of the page, in the query's order
 * @param total how many jobs match the query in all
 */
public record JobPage(List<JobSummary> jobs, int total) {

    public JobPage {
        jobs = List.copyOf(jobs);
    }
}
