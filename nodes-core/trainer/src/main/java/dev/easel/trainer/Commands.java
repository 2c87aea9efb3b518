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
    static void startOrResume(Path dir, boolean resume, Training training) throws IOException {
        Optional<Path> latest = Checkpoints.latest(dir);
        if (resume) {
            Path from = latest.orElseThrow(() -> new IllegalArgumentException("no checkpoint to resume in " + dir));
            Checkpoints.restore(from, training);
            System.out.println("resuming " + from + " at step " + training.steps());
        } else if (latest.isPresent()) {
            throw new IllegalArgumentException(dir + " already holds a run (" + latest.get().getFileName()
                    + "): pass --resume to continue it, or delete the folder to start over");
        }
    }
}
