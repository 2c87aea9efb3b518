package dev.easel.nodes.core.sampling.noise;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;

/**
 * The initial latent noise of a KSampler: a CPU generator seeded with the workflow's seed, then one standard-normal
 * draw of the latent's shape (ComfyUI's {@code prepare_noise}), so a seed gives the same starting point as the
 * reference bit for bit.
 */
public final class InitialNoise {

    private InitialNoise() {
    }

    /**
     * Float32 CPU noise of {@code shape} for {@code seed} (an unsigned 64-bit seed in the bit pattern of a Java long:
     * 2^64 − 1 is {@code -1L}), in the caller's scope.
     */
    public static Tensor of(long seed, long[] shape) {
        Tensor out;
        try (PointerScope scope = new PointerScope()) {
            Generator g = TorchNormal.generator(seed, null);
            out = TorchNormal.randn(g, shape, null);
            out.retainReference();
        }
        PointerScope caller = PointerScope.getInnerScope();
        if (caller != null) {
            caller.attach(out);
            out.releaseReference();
        }
        return out;
    }
}
