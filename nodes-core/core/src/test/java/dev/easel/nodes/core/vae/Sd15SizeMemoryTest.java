package dev.easel.nodes.core.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.model.StateDict;
import dev.easel.runtime.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Peak memory and time of a real-size SD1.5 VAE (random weights with the shapes of sd15_keys.tsv) on the CPU. Slow
 * (tens of seconds on two cores), so opt-in: {@code -Deasel.vae.bigtest=true} (optionally
 * {@code -Deasel.vae.bigtest.size=512}, the image edge in pixels; default 256).
 */
@EnabledIfSystemProperty(named = "easel.vae.bigtest", matches = "true")
class Sd15SizeMemoryTest {

    @Test
    void decodeAndEncodeKeepPeakMemoryNearAFewActivations() throws IOException {
        Torch.load();
        int size = Integer.getInteger("easel.vae.bigtest.size", 256);
        TensorShapes shapes = TensorShapes.readTsv(VaeFixtures.dir().resolve("sd15_keys.tsv"))
                .withPrefix(AutoencoderKL.CHECKPOINT_PREFIX);
        StateDict weights;
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(11);
            Map<String, Tensor> random = new LinkedHashMap<>();
            for (String name : shapes.names()) {
                long[] shape = shapes.shape(name);
                long fanIn = 1;
                for (int i = 1; i < shape.length; i++) {
                    fanIn *= shape[i];
                }
                Tensor t = shape.length == 1
                        ? (name.contains("norm") && name.endsWith(".weight") ? torch.ones(shape) : torch.zeros(shape))
                        : torch.randn(shape).mul(new Scalar(1.0 / Math.sqrt(fanIn)));
                random.put(name, t);
            }
            weights = StateDict.of("random-sd15-vae", random);
        }
        AutoencoderKL vae = AutoencoderKL.of(weights);
        weights.release();
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(12);
            Tensor latent = torch.randn(1, 4, size / 8, size / 8);
            long before = peakRssKb();
            resetPeak();
            long base = rssKb();
            long t0 = System.nanoTime();
            Tensor image = vae.decode(latent);
            long t1 = System.nanoTime();
            long decodePeak = peakRssKb() - base;
            assertArrayEquals(new long[] {1, 3, size, size}, image.shape());
            resetPeak();
            base = rssKb();
            long t2 = System.nanoTime();
            Tensor mean = vae.encode(AutoencoderKL.toImage(image));
            long t3 = System.nanoTime();
            long encodePeak = peakRssKb() - base;
            assertArrayEquals(new long[] {1, 4, size / 8, size / 8}, mean.shape());
            long activationMb = 128L * size * size * 4 / (1 << 20);
            System.out.printf("[vae sd15-size %dx%d] decode %.1f s, peak +%d MB; encode %.1f s, peak +%d MB;"
                    + " one full-resolution 128-channel activation = %d MB (peak before: %d MB)%n", size, size,
                    (t1 - t0) / 1e9, decodePeak / 1024, (t3 - t2) / 1e9, encodePeak / 1024, activationMb,
                    before / 1024);
            assertTrue(decodePeak / 1024 < 8 * activationMb + 200, "decode peak " + decodePeak / 1024 + " MB");
        } finally {
            vae.release();
        }
    }

    private static long rssKb() throws IOException {
        return status("VmRSS:");
    }

    private static long peakRssKb() throws IOException {
        return status("VmHWM:");
    }

    /** Resets VmHWM (Linux: writing 5 to clear_refs). */
    private static void resetPeak() throws IOException {
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    }

    private static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
