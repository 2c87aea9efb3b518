package dev.easel.nodes.core.sd;

import dev.easel.nodes.core.model.files.RandomCheckpointWriter;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.unet.UNetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A full-size SD1.5-layout checkpoint (every tensor of {@code sd15_keys.tsv}, random float16 weights, 2.1 GB, written
 * once into {@code nodes-core/core/target/sd15-random/} and reused) loads through {@link CheckpointLoading} with no
 * missing and no left-over keys, and one UNet step on it gives finite numbers of the right shape.
 *
 * <p>Opt-in, because it writes 2.1 GB and needs about 7 GB of memory: {@code -Deasel.fullsize=true}. On two cores:
 * about 14 s to generate the file the first time (reused after that), 3 to 4 s to load it, 1 s for the steps.
 */
@EnabledIfSystemProperty(named = "easel.fullsize", matches = "true")
class FullSizeCheckpointTest {

    static final Path FIXTURES = Path.of(System.getProperty("easel.repo.root", "."))
            .resolve("../shared/fixtures").normalize();

    /** The generated checkpoint, written on first use. */
    static Path checkpoint() throws Exception {
        Path root = Path.of(System.getProperty("easel.repo.root", "."));
        Path out = root.resolve("nodes-core/core/target/sd15-random/sd15_random_s1_f16.safetensors");
        return RandomCheckpointWriter.write(FIXTURES.resolve("sd15_keys.tsv"), out, 1);
    }

    @Test
    void loadsWithEveryKeyUsedAndRunsAUnetStep() throws Exception {
        long t0 = System.nanoTime();
        Path file = checkpoint();
        long t1 = System.nanoTime();
        assertTrue(Files.size(file) > 2_000_000_000L, "a full-size file");
        CheckpointLoading.Parts parts = CheckpointLoading.load(file, ScalarType.Float);
        long t2 = System.nanoTime();
        try {
            assertEquals(java.util.List.of(), parts.unexpectedKeys());
            UNetConfig config = parts.model().unet().config();
            assertEquals(320, config.modelChannels());
            assertEquals(768, parts.clip().model().config().width());
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                torch.manual_seed(3);
                Tensor x = torch.randn(1, 4, 8, 8);
                Tensor t = torch.full(new long[] {1}, new org.bytedeco.pytorch.Scalar(500.0),
                        new org.bytedeco.pytorch.TensorOptions(ScalarType.Float));
                Tensor context = torch.randn(1, 77, 768);
                Tensor eps = parts.model().unet().forward(x, t, context);
                assertArrayEquals(new long[] {1, 4, 8, 8}, eps.shape());
                assertTrue(eps.isfinite().all().item().toBool(), "finite UNet output");
                double std = eps.std().item().toDouble();
                assertTrue(std > 0 && std < 1e3, "UNet output std " + std);
                // the text encoder and the VAE run too
                Tensor tokens = torch.zeros(new long[] {1, 77}, new org.bytedeco.pytorch.TensorOptions(ScalarType.Long));
                Tensor last = parts.clip().model().lastHidden(tokens);
                assertTrue(last.isfinite().all().item().toBool(), "finite CLIP output");
                Tensor image = parts.vae().vae().decode(x);
                assertArrayEquals(new long[] {1, 3, 64, 64}, image.shape());
                assertTrue(image.isfinite().all().item().toBool(), "finite VAE output");
            }
            long t3 = System.nanoTime();
            System.out.printf("[full-size SD1.5] file %.1f s (%s), load %.1f s, UNet+CLIP+VAE step %.1f s%n",
                    (t1 - t0) / 1e9, "generated or reused", (t2 - t1) / 1e9, (t3 - t2) / 1e9);
        } finally {
            parts.model().release();
            parts.clip().release();
            parts.vae().release();
        }
    }

    /**
     * Full-size SD2.1 768-v (1,240 tensors of {@code sd2/sd2_keys.tsv}, float32 as published, 5.2 GB) and SDXL base
     * (2,515 tensors of {@code sdxl/sdxl_keys.tsv}, float16, 6.9 GB; 13.9 GB of float32 weights once loaded): every
     * key used, the real architecture detected, one UNet step with the real context and {@code y} widths.
     */
    @Test
    void sd21LoadsWithEveryKeyUsedAndRunsAUnetStep() throws Exception {
        checkFamily("sd2/sd2_keys.tsv", "sd21_random_s1.safetensors", 1024, null, 1024);
    }

    @Test
    void sdxlLoadsWithEveryKeyUsedAndRunsAUnetStep() throws Exception {
        checkFamily("sdxl/sdxl_keys.tsv", "sdxl_random_s1.safetensors", 2048, 2816, 1280);
    }

    private static void checkFamily(String manifest, String fileName, int context, Integer adm, int pooledWidth)
            throws Exception {
        Path root = Path.of(System.getProperty("easel.repo.root", "."));
        long t0 = System.nanoTime();
        Path file = RandomCheckpointWriter.write(FIXTURES.resolve(manifest),
                root.resolve("nodes-core/core/target/fullsize-random/" + fileName), 1);
        long t1 = System.nanoTime();
        CheckpointLoading.Parts parts = CheckpointLoading.load(file, ScalarType.Float);
        long t2 = System.nanoTime();
        try {
            assertEquals(java.util.List.of(), parts.unexpectedKeys());
            UNetConfig config = parts.model().unet().config();
            assertEquals(320, config.modelChannels());
            assertEquals(64, config.numHeadChannels());
            assertEquals(context, config.contextDim());
            assertEquals(adm, config.admInChannels());
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                torch.manual_seed(3);
                Tensor x = torch.randn(1, 4, 8, 8);
                Tensor sigma = torch.full(new long[] {1}, new org.bytedeco.pytorch.Scalar(2.0),
                        new org.bytedeco.pytorch.TensorOptions(ScalarType.Float));
                var encoded = parts.clip().encode("a photo of a cat");
                assertEquals(context, encoded.cond().size(2));
                assertEquals(pooledWidth, encoded.pooled().size(1));
                Tensor y = adm == null ? null : parts.model().adm().encode(
                        java.util.Map.of("pooled_output", dev.easel.runtime.TensorRef.of(encoded.pooled())), 8, 8,
                        false);
                Tensor denoised = parts.model().denoiser().denoise(x, sigma, encoded.cond(), y,
                        dev.easel.nodes.core.unet.UNetPatches.NONE);
                assertArrayEquals(new long[] {1, 4, 8, 8}, denoised.shape());
                assertTrue(denoised.isfinite().all().item().toBool(), "finite denoiser output");
                Tensor image = parts.vae().vae().decode(x);
                assertArrayEquals(new long[] {1, 3, 64, 64}, image.shape());
            }
            long t3 = System.nanoTime();
            System.out.printf("[full-size %s] file %.1f s, load %.1f s, encode + UNet step + VAE %.1f s%n", fileName,
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
        } finally {
            parts.model().release();
            parts.clip().release();
            parts.vae().release();
        }
    }
}
