package dev.easel.trainer;

import dev.easel.trainer.train.Checkpoints;
import dev.easel.trainer.train.Training;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** What the training subcommands share. */
final class Commands {

    private Commands() {
    }

    /** Restores the latest checkpoint in {@code dir} when resuming; refuses to overwrite one otherwise. */
    static void startOrResume(Path dir, boolean resume, Training<?> training) throws IOException {
        checkStart(dir, resume);
        if (resume) {
            Checkpoints.restore(Checkpoints.latest(dir).orElseThrow(), training);
            System.out.println("resuming " + Checkpoints.latest(dir).orElseThrow() + " at step " + training.steps());
        }
    }

    /**
     * Fails unless a run can start or resume in {@code dir}: resuming needs a checkpoint there, a new run needs none
     * (checked before slow preparations, so a mistake is reported at once).
     */
    static void checkStart(Path dir, boolean resume) throws IOException {
        Optional<Path> latest = Checkpoints.latest(dir);
        if (resume && latest.isEmpty()) {
            throw new IllegalArgumentException("no checkpoint to resume in " + dir);
        } else if (!resume && latest.isPresent()) {
            throw new IllegalArgumentException(dir + " already holds a run (" + latest.get().getFileName()
                    + "): pass --resume to continue it, or delete the folder to start over");
        }
    }
}
