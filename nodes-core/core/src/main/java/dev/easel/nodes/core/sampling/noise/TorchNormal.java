package dev.easel.nodes.core.sampling.noise;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Standard normals exactly as torch draws them: a generator seeded once, then {@code torch.randn} in float32. The
 * seed is an unsigned 64-bit value carried in a Java {@code long} bit pattern (as {@code torch.Generator.manual_seed}
 * takes it).
 */
final class TorchNormal {

    private TorchNormal() {
    }

    /**
     * A device's name ({@code "cuda:0"}), or null for the CPU (or null): noise sources keep names, not native
     * {@link Device} objects, so that they do not depend on the scope they were made in.
     */
    static String name(Device device) {
        return device == null || device.is_cpu() ? null : device.str().getString();
    }

    /** A new generator for the device named {@code device} (the CPU one when null), seeded. */
    static Generator generator(long seed, String device) {
        if (device == null) {
            return torch.make_generator_cpu(seed);
        }
        Generator g = torch.globalContext().defaultGenerator(new Device(device)).clone();
        g.set_current_seed(seed);
        return g;
    }

    /** One {@code randn(shape)} in float32 from {@code generator}, on the generator's device. */
    static Tensor randn(Generator generator, long[] shape, String device) {
        TensorOptions options = new TensorOptions(ScalarType.Float);
        if (device != null) {
            options = options.device(new DeviceOptional(new Device(device)));
        }
        return torch.randn(shape, new GeneratorOptional(generator), options);
    }

    /** One {@code randn(shape)} from a fresh generator seeded with {@code seed}, copied to the host. */
    static float[] draw(long seed, long[] shape, String device) {
        try (PointerScope scope = new PointerScope()) {
            Generator g = generator(seed, device);
            Tensor t = randn(g, shape, device).cpu().contiguous();
            float[] out = new float[(int) t.numel()];
            t.data_ptr_float().get(out);
            return out;
        }
    }

    /**
     * Draws like {@link #draw(long, long[], String)} with one generator re-seeded per draw (re-seeding gives exactly
     * the numbers of a fresh generator, without making one each time). Holds the generator until {@link #close()};
     * usable again after it.
     */
    static final class Drawer implements AutoCloseable {

        private final String device;
        private Generator generator;

        Drawer(String device) {
            this.device = device;
        }

        float[] draw(long seed, long[] shape) {
            try (PointerScope scope = new PointerScope()) {
                if (generator == null) {
                    generator = generator(seed, device);
                    generator.retainReference(); // outlives this scope, released by close()
                } else {
                    generator.set_current_seed(seed);
                }
                Tensor t = randn(generator, shape, device).cpu().contiguous();
                float[] out = new float[(int) t.numel()];
                t.data_ptr_float().get(out);
                return out;
            }
        }

        @Override
        public void close() {
            if (generator != null) {
                generator.releaseReference();
                generator = null;
            }
        }
    }

    /**
     * A float32 tensor of {@code shape} holding {@code values}, on the device named {@code device} (CPU when null), in
     * the caller's scope.
     */
    static Tensor tensor(float[] values, long[] shape, String device) {
        Tensor host;
        try (FloatPointer data = new FloatPointer(values)) {
            host = torch.from_blob(data, shape, new TensorOptions(ScalarType.Float)).clone();
        }
        return device == null ? host : host.to(new Device(device), ScalarType.Float);
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }
}
