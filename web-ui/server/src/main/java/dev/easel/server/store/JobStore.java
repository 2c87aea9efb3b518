package dev.easel.server.store;

import java.util.List;
import java.util.Optional;

/**
 * The durable queue and history of the server (ComfyUI keeps both in memory; Easel keeps them in the data folder so
 * that they survive a restart or a crash). A job is queued, then claimed by the one runner (running), then finished
 * into history with its ComfyUI history entry. Implementations are thread-safe.
 *
 * <p>Ordering follows ComfyUI: jobs run by ascending {@code number}; {@code front} jobs get a number below every
 * queued one.
 */
public interface JobStore extends AutoCloseable {

    /** What happens, on start, to a job that was running when the process died. */
    enum Recovery {
        /** Put it back at the front of the queue: it runs again (its earlier run never completed). */
        REQUEUE,
        /** Finish it into history as failed, with a message saying the server stopped while it ran. */
        FAIL
    }

    /**
     * A queued or running job.
     *
     * @param promptId the job's id (a UUID unless the client gave one)
     * @param number the queue position number ComfyUI reports
     * @param promptJson the API-format workflow, as received (JSON object text)
     * @param extraDataJson {@code extra_data} (JSON object text, "{}" when absent)
     * @param clientId the submitting client's id, or null
     * @param outputsToExecute the output node ids to run
     * @param createdAtMillis when it was queued
     */
    record Job(String promptId, long number, String promptJson, String extraDataJson, String clientId,
            List<String> outputsToExecute, long createdAtMillis) {

        public Job {
            outputsToExecute = List.copyOf(outputsToExecute);
        }
    }

    /**
     * A finished job.
     *
     * @param job the job as it was queued
     * @param historyJson ComfyUI's history entry for it ({@code {"prompt": [...], "outputs": {...}, "status": {...},
     *     "meta": {...}}}, JSON object text), stored and returned as is
     * @param finishedAtMillis when it ended
     */
    record Finished(Job job, String historyJson, long finishedAtMillis) {
    }

    /** The number for a new job: one more than the highest ever given, or, with {@code front}, below every queued one. */
    long nextNumber(boolean front);

    /** Queues {@code job}; its id must be new (queued, running or in history), else IllegalArgumentException. */
    void enqueue(Job job);

    /**
     * {@link #enqueue} under a new number ({@link #nextNumber}{@code (front)}, replacing {@code job.number()}) as one
     * step; returns the job as queued. A refused job uses up no number where the store can promise it.
     */
    default Job enqueueNumbered(Job job, boolean front) {
        Job numbered = new Job(job.promptId(), nextNumber(front), job.promptJson(), job.extraDataJson(),
                job.clientId(), job.outputsToExecute(), job.createdAtMillis());
        enqueue(numbered);
        return numbered;
    }

    /** Marks the queued job with the lowest number running and returns it; empty when nothing is queued. */
    Optional<Job> claimNext();

    /** Moves the running job {@code promptId} into history (IllegalStateException when it is not running). */
    void finish(String promptId, String historyJson, long finishedAtMillis);

    /**
     * {@link #finish} then {@link #claimNext}, as one step where the store can (the runner's step between two jobs).
     * When the finish fails nothing is claimed.
     */
    default Optional<Job> finishAndClaimNext(String promptId, String historyJson, long finishedAtMillis) {
        finish(promptId, historyJson, finishedAtMillis);
        return claimNext();
    }

    /** The running job, if any. */
    Optional<Job> running();

    /**
     * How often the queued or running job {@code promptId} was claimed, this run included (0 when it is neither): more
     * than 1 means an earlier run was cut short by the death of the process.
     */
    int attempts(String promptId);

    /** Every job marked running (more than one only when several processes claimed from one file). */
    List<Job> runningJobs();

    /** The queued jobs, by number. */
    List<Job> pending();

    /**
     * Queued plus running jobs (ComfyUI's {@code queue_remaining}), without reading them: it is sent after every
     * queue change, so it must not cost a scan of the jobs' data.
     */
    default int remaining() {
        return pending().size() + (running().isPresent() ? 1 : 0);
    }

    /** Removes a queued job; false when it is not queued (running jobs are interrupted instead, not deleted). */
    boolean deletePending(String promptId);

    /** Removes every queued job; returns how many. */
    int clearPending();

    /** Finished jobs, oldest first, skipping {@code offset} and returning at most {@code max} (max < 0: all). */
    List<Finished> history(int offset, int max);

    /** One finished job. */
    Optional<Finished> history(String promptId);

    /** Number of finished jobs. */
    int historySize();

    /** Removes finished jobs; unknown ids are ignored. */
    void deleteHistory(List<String> promptIds);

    /** Removes every finished job. */
    void clearHistory();

    /**
     * Queued, running and finished jobs together, filtered, sorted and paged by {@code query} (ComfyUI's
     * {@code /api/jobs}); ties keep the running job first, then the queue by number, then history in finishing order.
     */
    JobPage jobs(JobQuery query);

    /** One job, queued, running or finished; empty when the id is unknown. */
    Optional<JobDetail> job(String promptId);

    /**
     * A result file a running job is creating or has created (api {@code OutputJournal}), kept until the job ends.
     *
     * @param target    the file's path
     * @param staging   the staging file its bytes are written to first
     * @param published whether {@code target} was confirmed to be the job's
     */
    record FileNote(String target, String staging, boolean published) {
    }

    /** Notes that job {@code promptId} is about to write {@code staging}, to be published as {@code target}. */
    void noteStaging(String promptId, String target, String staging);

    /** Notes that {@code target} is now the job's file. */
    void notePublished(String promptId, String target);

    /** Forgets {@code target} (its name was taken or its write failed: not the job's file). */
    void forgetFile(String promptId, String target);

    /** The files noted for a job (kept while it is queued or running; dropped when it finishes or is re-queued). */
    List<FileNote> files(String promptId);

    /**
     * Called once at start: a job left running by a previous process is re-queued or failed, as {@code recovery} says.
     * Returns the affected jobs.
     */
    List<Job> recover(Recovery recovery, long nowMillis);

    @Override
    void close();
}
