package dev.easel.nodes.core.sampling;

/** Which default noise a sampler draws, as in the reference. */
public enum NoiseKind {
    /** Deterministic: the sampler asks for no noise. */
    NONE,
    /** Independent Gaussian noise per step from a CPU generator (ancestral samplers, LCM, DDPM). */
    GAUSSIAN,
    /** Brownian-tree noise on the CPU (the SDE samplers), consistent across step counts. */
    BROWNIAN,
    /** Brownian-tree noise on the compute device (the reference's {@code _gpu} variants). */
    BROWNIAN_DEVICE
}
