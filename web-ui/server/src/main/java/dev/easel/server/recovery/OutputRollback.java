package dev.easel.server.recovery;

import dev.easel.node.OutputFiles;
import dev.easel.server.store.JobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Undoes, at start, the result files of jobs that were running when the previous process died, before those jobs are
 * re-queued: the re-run writes them again, and the job's outputs must not exist twice. With {@link
 * JobStore.Recovery#FAIL} the job is not re-run, so its complete files stay and only staging leftovers go.
 *
 * <p>Which files were the job's follows from the order in which {@link OutputFiles#createNew} works and notes
 * (staging noted, staging written, target linked to it, target noted as published, staging removed):
 * <ul>
 *   <li>noted as published: the target is the job's;</li>
 *   <li>noted as staging, and the staging file still exists and is the same file as the target (the link was made,
 *       the note not yet): the target is the job's;</li>
 *   <li>otherwise (staging gone, or the target is another file) the target belongs to someone else and is kept.</li>
 * </ul>
 * The target is removed before its staging file, so a crash during the rollback itself repeats the same decisions.
 */
public final class OutputRollback {

    private static final System.Logger LOG = System.getLogger("easel.server");

    private OutputRollback() {
    }

    /** Rolls back the files of every job {@code store} has as running; call before {@link JobStore#recover}. */
    public static int rollBackRunningJobs(JobStore store, JobStore.Recovery recovery) {
        int removed = 0;
        for (JobStore.Job job : store.runningJobs()) {
            removed += rollBack(store, job.promptId(), recovery);
        }
        return removed;
    }

    /** Rolls back the noted files of one job; returns how many result files were removed. */
    static int rollBack(JobStore store, String promptId, JobStore.Recovery recovery) {
        int removed = 0;
        for (JobStore.FileNote note : store.files(promptId)) {
            Path target = Path.of(note.target());
            Path staging = Path.of(note.staging());
            try {
                if (recovery == JobStore.Recovery.REQUEUE && isJobs(note, target, staging)) {
                    if (Files.deleteIfExists(target)) {
                        removed++;
                        LOG.log(System.Logger.Level.INFO, "removed {0}, written by the unfinished run of job {1}",
                                target, promptId);
                    }
                }
                Files.deleteIfExists(staging);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot roll back " + target + " of job " + promptId, e);
            }
        }
        return removed;
    }

    private static boolean isJobs(JobStore.FileNote note, Path target, Path staging) throws IOException {
        if (note.published()) {
            return true;
        }
        return Files.exists(staging, LinkOption.NOFOLLOW_LINKS) && Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                && Files.isSameFile(target, staging);
    }
}
