package dev.easel.nodes.core.sampling.noise;

import dev.easel.nodes.core.sampling.NoiseSource;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Independent standard-normal noise per request, the noise of the ancestral samplers (Song et al. 2021, "Score-Based
 * Generative Modeling through Stochastic Differential Equations": each step re-noises with fresh Gaussian noise).
 * One CPU generator is seeded once; every request draws one {@code randn} of the latent's shape from it, whatever σ
 * it is for, and moves it to the latent's device. Noise is drawn on the CPU so that a seed gives the same image on
 * every device.
 *
 * <p>Holds a native generator: close it after sampling.
 */
public final class GaussianNoise implements NoiseSource, AutoCloseable {

    private final long[] shape;
    private final String device;
    private Generator generator;

    /**
     * @param seed the generator's seed (unsigned 64-bit in a long's bit pattern); the KSampler's ancestral samplers
     *     use the noise seed + 1 ({@link NoiseSources#forSampler} adds it)
     * @param shape the latent's shape
     * @param device where the noise goes (the CPU when null)
     */
    public GaussianNoise(long seed, long[] shape, Device device) {
        this.shape = shape.clone();
        this.device = TorchNormal.name(device);
        try (PointerScope scope = new PointerScope()) {
            generator = TorchNormal.generator(seed, null);
            generator.retainReference();
        }
    }

    @Override
    public Tensor next(double sigma, double sigmaNext) {
        if (generator == null) {
            throw new IllegalStateException("this noise source is closed");
        }
        Tensor noise = TorchNormal.randn(generator, shape, null);
        return device == null ? noise : noise.to(new Device(device), ScalarType.Float);
    }

    @Override
    public void close() {
        if (generator != null) {
            generator.releaseReference();
            generator = null;
        }
    }
}
