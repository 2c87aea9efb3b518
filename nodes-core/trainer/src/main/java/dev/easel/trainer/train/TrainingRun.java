package dev.easel.trainer.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.bytedeco.javacpp.PointerScope;

/**
 * Runs a {@link Training} up to a step count, saving a checkpoint every {@code saveEvery} steps and at the end. Ctrl-C
 * or SIGTERM stops it at the next step boundary with a checkpoint, so the run can be resumed from where it stopped
 * (killing the JVM in the middle of a step could crash libtorch's native threads on the way out).
 */
public final class TrainingRun {

    /** How long a stop signal waits for the current step and the checkpoint before the JVM exits anyway. */
    private static final long STOP_GRACE_MILLIS = 120_000;

    private TrainingRun() {
    }

    /**
     * Trains from the current step up to {@code steps}; a stop signal (Ctrl-C, SIGTERM) ends it early, after saving.
     *
     * @return the smoothed loss at the end
     */
    public static <B> double run(String label, Training<B> training, Batches<B> source, int batchSize, long steps,
            long saveEvery, Path checkpoints, PrintStream out) throws IOException {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                finished.await(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "easel-train-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(label, training, source, batchSize, steps, saveEvery, checkpoints, out, stop::get);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it now sees the run finished
            }
        }
    }

    /** As above, stopping early (with a checkpoint) once {@code stopRequested} says so. */
    static <B> double run(String label, Training<B> training, Batches<B> source, int batchSize, long steps,
            long saveEvery, Path checkpoints, PrintStream out, BooleanSupplier stopRequested) throws IOException {
        ProgressBar bar = new ProgressBar(label, steps, out);
        while (training.steps() < steps) {
            if (stopRequested.getAsBoolean()) {
                Checkpoints.save(checkpoints, training);
                out.printf("%nstopped at step %,d; continue with --resume%n", training.steps());
                return bar.smoothedLoss();
            }
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
