package dev.easel.trainer.model;

/**
 * One weight of the SD1.x layout: its full checkpoint name, shape, and how a fresh model initialises it.
 *
 * @param name the key in the single-file checkpoint ({@code model.diffusion_model.out.2.weight}, ...)
 * @param shape the tensor's shape
 * @param init the initialisation of a fresh model
 */
public record ParamSpec(String name, long[] shape, Init init) {

    /** Initialisations, following PyTorch's module defaults except where LDM or CLIP choose otherwise. */
    public enum Init {
        /** Conv / linear weights: PyTorch's default kaiming_uniform(a=√5), i.e. U(−1/√fan_in, 1/√fan_in). */
        KAIMING_UNIFORM,
        /** Biases, and the output layers LDM zero-initialises ({@code zero_module}). */
        ZEROS,
        /** Norm scales. */
        ONES,
        /** CLIP's token embedding: N(0, 0.02²). */
        TOKEN_EMBEDDING,
        /** CLIP's position embedding: N(0, 0.01²). */
        POSITION_EMBEDDING
    }

    /** Number of elements. */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
