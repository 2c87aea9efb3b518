package dev.easel.trainer.train;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.global.torch;

/**
 * The random stream of a training step: a fresh CPU generator seeded from (run seed, step). Every draw of step
 * {@code n} (noise, timesteps, caption dropout) comes from it, so the RNG state a resumed run needs is just the step
 * number, and resuming gives the same draws bit for bit.
 */
public final class StepRandom {

    private StepRandom() {
    }

    /** The generator of step {@code step} (attached to the caller's pointer scope). */
    public static Generator generator(long seed, long step) {
        long mixed = (seed * 0x9E3779B97F4A7C15L) ^ (step + 0x632BE59BD9B4E019L) * 0xBF58476D1CE4E5B9L;
        return torch.make_generator_cpu(mixed ^ (mixed >>> 31));
    }
}
