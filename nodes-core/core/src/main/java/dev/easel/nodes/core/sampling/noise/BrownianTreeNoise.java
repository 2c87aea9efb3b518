package dev.easel.nodes.core.sampling.noise;

import dev.easel.nodes.core.sampling.NoiseSource;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * The noise of the SDE samplers (DPM-Solver++ SDE, 2M/3M SDE; Lu et al. 2022, "DPM-Solver++: Fast Solver for Guided
 * Sampling of Diffusion Probabilistic Models"): normalized increments of one Brownian motion W over the schedule,
 * noise(σ, σ_next) = (W(t_next) − W(t)) / √|t_next − t| with t = σ (the reference passes no transform). Because the
 * path is fixed by the seed alone ({@link BrownianTree}), a finer schedule refines the same path instead of drawing new
 * noise, and the same seed reproduces the reference's {@code BrownianTreeNoiseSampler} (k-diffusion, over
 * torchsde's {@code BrownianTree} with entropy = seed) bit for bit. Like the reference, σ values are taken as float32
 * and the normalization is float32.
 *
 * <p>The tree holds Java arrays and one native generator; {@link #close} frees the generator and drops the cache.
 */
public final class BrownianTreeNoise implements NoiseSource, AutoCloseable {

    private final BrownianTree tree;
    private final long[] shape;
    private final String outDevice;
    private final float orientation;

    /**
     * @param seed the Brownian tree's entropy (unsigned 64-bit in a long's bit pattern); the KSampler passes the noise
     *     seed unchanged
     * @param shape the latent's shape
     * @param sigmaMin the low end of the path (the smallest positive σ of the schedule)
     * @param sigmaMax the high end (the largest σ)
     * @param treeDevice where the tree's normals are drawn (null or CPU: the CPU generator, as the default SDE samplers;
     *     a GPU: that device's generator, as the reference's {@code _gpu} variants)
     * @param outDevice where the noise goes (CPU when null)
     */
    public BrownianTreeNoise(long seed, long[] shape, double sigmaMin, double sigmaMax, Device treeDevice,
            Device outDevice) {
        float t0 = (float) sigmaMin;
        float t1 = (float) sigmaMax;
        this.orientation = t0 < t1 ? 1f : -1f;
        this.tree = new BrownianTree(seed, shape, Math.min(t0, t1), Math.max(t0, t1),
                TorchNormal.name(treeDevice));
        this.shape = shape.clone();
        this.outDevice = TorchNormal.name(outDevice);
    }

    /** A CPU tree with CPU output. */
    public BrownianTreeNoise(long seed, long[] shape, double sigmaMin, double sigmaMax) {
        this(seed, shape, sigmaMin, sigmaMax, null, null);
    }

    @Override
    public Tensor next(double sigma, double sigmaNext) {
        return TorchNormal.tensor(normalized(sigma, sigmaNext), shape, outDevice);
    }

    /** The noise for σ → σ_next as a host array (what {@link #next} returns). */
    public float[] normalized(double sigma, double sigmaNext) {
        float a = (float) sigma;
        float b = (float) sigmaNext;
        float sign = orientation * (a < b ? 1f : -1f);
        float[] w = tree.increment(Math.min(a, b), Math.max(a, b));
        float scale = (float) Math.sqrt(Math.abs(b - a));
        for (int i = 0; i < w.length; i++) {
            w[i] = w[i] * sign / scale;
        }
        return w;
    }

    /** The raw increment W(tb) − W(ta), ta ≤ tb, of the underlying Brownian motion (float32 times as given). */
    public float[] increment(double ta, double tb) {
        return tree.increment(ta, tb);
    }

    @Override
    public void close() {
        tree.clearCache();
    }
}
