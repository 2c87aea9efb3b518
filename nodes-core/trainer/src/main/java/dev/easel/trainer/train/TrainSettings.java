package dev.easel.trainer.train;

/**
 * Optimisation settings of one run.
 *
 * @param seed seeds the fresh weights and every random draw (step by step, see {@link StepRandom})
 * @param lr AdamW learning rate (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization")
 * @param weightDecay AdamW's decoupled weight decay
 * @param gradClip the global gradient norm is clipped to this
 * @param emaDecay decay of the weights' exponential moving average (LDM: 0.9999 for long runs)
 * @param decayFrom the learning rate is {@code lr} before this step, then follows a half cosine down to
 *                  {@link #FINAL_LR_FRACTION} of it at {@code decayTo} (SGDR's annealing, Loshchilov &amp; Hutter 2017),
 *                  and stays there; {@code Long.MAX_VALUE} keeps it constant
 * @param decayTo the step where the decay ends
 */
public record TrainSettings(long seed, double lr, double weightDecay, double gradClip, double emaDecay, long decayFrom,
        long decayTo) {

    /** Where the cosine decay ends, as a fraction of {@code lr}. */
    public static final double FINAL_LR_FRACTION = 0.05;

    public TrainSettings {
        if (decayFrom != Long.MAX_VALUE && decayTo <= decayFrom) {
            throw new IllegalArgumentException("the learning-rate decay must end after it starts: " + decayFrom
                    + " to " + decayTo);
        }
    }

    /** Defaults for a run with the given seed and a constant learning rate. */
    public static TrainSettings of(long seed, double lr) {
        return new TrainSettings(seed, lr, 0.01, 1.0, 0.999, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** These settings with the learning rate decaying from step {@code from} to step {@code to}. */
    public TrainSettings withDecay(long from, long to) {
        return new TrainSettings(seed, lr, weightDecay, gradClip, emaDecay, from, to);
    }

    /** The learning rate of optimizer step {@code step} (0-based). */
    public double lrAt(long step) {
        if (step < decayFrom) {
            return lr;
        }
        double progress = Math.min(1.0, (double) (step - decayFrom) / (decayTo - decayFrom));
        double floor = lr * FINAL_LR_FRACTION;
        return floor + (lr - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
