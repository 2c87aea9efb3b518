package dev.easel.trainer.train;

import java.io.PrintStream;
import java.time.Duration;

/**
 * One self-overwriting line: step, smoothed loss, steps/s and ETA, e.g.
 * {@code unet  1200/50000  loss 0.1234  3.41 it/s  ETA 3:58:12}. Rates are smoothed so the line is readable on a
 * busy machine.
 */
public final class ProgressBar {

    private static final double SMOOTHING = 0.98;

    private final String label;
    private final long total;
    private final PrintStream out;
    private double loss = Double.NaN;
    private double secondsPerStep = Double.NaN;
    private long last = System.nanoTime();

    public ProgressBar(String label, long total, PrintStream out) {
        this.label = label;
        this.total = total;
        this.out = out;
    }

    /** Records that step {@code done} (1-based count of steps done) ended with {@code stepLoss}. */
    public void update(long done, double stepLoss) {
        long now = System.nanoTime();
        double seconds = (now - last) / 1e9;
        last = now;
        loss = Double.isNaN(loss) ? stepLoss : SMOOTHING * loss + (1 - SMOOTHING) * stepLoss;
        secondsPerStep = Double.isNaN(secondsPerStep) ? seconds : 0.9 * secondsPerStep + 0.1 * seconds;
        out.print("\r" + line(done));
        out.flush();
    }

    /** The current line. */
    public String line(long done) {
        long eta = Math.round(Math.max(0, total - done) * secondsPerStep);
        Duration d = Duration.ofSeconds(eta);
        return String.format("%s %6d/%d  loss %.4f  %.2f it/s  ETA %d:%02d:%02d", label, done, total, loss,
                1.0 / secondsPerStep, d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }

    /** Ends the line. */
    public void finish() {
        out.println();
    }

    public double smoothedLoss() {
        return loss;
    }
}
