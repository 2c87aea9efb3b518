package dev.easel.trainer.train;

/**
 * Optimisation settings of one run.
 *
 * @param seed seeds the fresh weights and every random draw (step by step, see {@link StepRandom})
 * @param lr AdamW learning rate (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization")
 * @param weightDecay AdamW's decoupled weight decay
 * @param gradClip the global gradient norm is clipped to this
 * @param emaDecay decay of the weights' exponential moving average (LDM: 0.9999 for long runs)
 */
public record TrainSettings(long seed, double lr, double weightDecay, double gradClip, double emaDecay) {

    /** Defaults for a run with the given seed and learning rate. */
    public static TrainSettings of(long seed, double lr) {
        return new TrainSettings(seed, lr, 0.01, 1.0, 0.999);
    }
}
