package dev.easel.trainer.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;

/** Runs a {@link Training} up to a step count, saving a checkpoint every {@code saveEvery} steps and at the end. */
public final class TrainingRun {

    private TrainingRun() {
    }

    /**
     * Trains from the current step up to {@code steps}.
     *
     * @return the smoothed loss at the end
     */
    public static <B> double run(String label, Training<B> training, Batches<B> source, int batchSize, long steps,
            long saveEvery, Path checkpoints, PrintStream out) throws IOException {
        ProgressBar bar = new ProgressBar(label, steps, out);
        while (training.steps() < steps) {
            double loss;
            try (PointerScope scope = new PointerScope()) {
                loss = training.step(source.batch(training.steps(), batchSize));
            }
            bar.update(training.steps(), loss);
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("loss became " + loss + " at step " + training.steps());
            }
            if (training.steps() % saveEvery == 0 || training.steps() == steps) {
                Checkpoints.save(checkpoints, training);
            }
        }
        bar.finish();
        long minutes = Math.round(training.stepSeconds() / 60);
        out.printf("%s: %,d steps, %d h %02d min of training time in all sessions%n", label, training.steps(),
                minutes / 60, minutes % 60);
        return bar.smoothedLoss();
    }
}
