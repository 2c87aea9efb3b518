package dev.easel.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.runtime.Torch;
import dev.easel.trainer.model.TinySdConfig;
import dev.easel.trainer.train.Batch;
import dev.easel.trainer.train.Checkpoints;
import dev.easel.trainer.train.EncodedLatents;
import dev.easel.trainer.train.LatentBatch;
import dev.easel.trainer.train.LatentSource;
import dev.easel.trainer.train.SyntheticShapes;
import dev.easel.trainer.train.TensorDigest;
import dev.easel.trainer.train.TrainSettings;
import dev.easel.trainer.train.UNetTraining;
import dev.easel.trainer.train.VaeTraining;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The latent cache: training on cached posteriors is training on posteriors encoded per step (same batches, same
 * losses), the cache follows the VAE and the data it was made from, and a resumed run on it continues exactly.
 */
class LatentCacheTest {

    private static final TinySdConfig CONFIG = TinySdConfig.SMOKE;
    private static final long DATA_SEED = 7;
    private static final int IMAGES = 20; // batch 8 → epochs of 3 batches, the last one short
    private static VaeTraining vae;

    @BeforeAll
    static void trainedVae() {
        Torch.load();
        torch.set_num_threads(1);
        org.bytedeco.openblas.global.openblas_full.openblas_set_num_threads(1);
        vae = new VaeTraining(CONFIG.vae(), TrainSettings.of(11, 2e-3));
        SyntheticShapes shapes = new SyntheticShapes(3);
        for (int i = 0; i < 3; i++) {
            try (PointerScope scope = new PointerScope()) {
                vae.step(shapes.batch(i, 4));
            }
        }
    }

    @AfterAll
    static void closeVae() {
        vae.close();
    }

    /** Shapes as an emoji data set: uint8 images and "red circle"-like names (Google style captions). */
    private static EmojiDataset shapes(int count, long seed) {
        try (PointerScope scope = new PointerScope()) {
            Batch batch = new SyntheticShapes(seed).batch(0, count);
            List<EmojiEntry> entries = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                entries.add(new EmojiEntry(EmojiSet.GOOGLE, i + ".png", batch.captions().get(i), "", "Shapes"));
            }
            Tensor bytes = batch.images().add(new Scalar(1.0)).mul(new Scalar(127.5)).round().to(ScalarType.Byte);
            bytes.retainReference(); // handed to the data set
            return new EmojiDataset(entries, bytes);
        }
    }

    private static String vaeDigest() {
        return TensorDigest.of(vae.parameters().tensors());
    }

    private static CachedLatents cache(Path file, EmojiDataset data, PrintStream log) throws Exception {
        return LatentCache.loadOrBuild(file, data, vae.model(), vaeDigest(), DATA_SEED, log);
    }

    private static UNetTraining freshUNet() {
        return new UNetTraining(CONFIG.clip(), CONFIG.unet(), vae.parameters().tensors(), 1.3,
                TrainSettings.of(5, 2e-3));
    }

    @Test
    void trainingOnTheCacheGivesTheLossesOfEncodingEveryStep(@TempDir Path dir) throws Exception {
        EmojiDataset data = shapes(IMAGES, 1);
        double[] cached = new double[5];
        double[] encoded = new double[5];
        try (CachedLatents fromCache = cache(dir.resolve(LatentCache.FILE_NAME), data, System.out);
             LatentSource perStep = new EncodedLatents(new EmojiBatches(data, DATA_SEED), vae.model())) {
            assertEquals(IMAGES, fromCache.size());
            // the same images in the same order, with the posteriors the encoder gives them now
            for (long step = 0; step < 4; step++) {
                try (PointerScope scope = new PointerScope()) {
                    LatentBatch a = fromCache.batch(step, 8);
                    LatentBatch b = perStep.batch(step, 8);
                    assertEquals(b.captions(), a.captions());
                    assertTrue(torch.allclose(a.mean(), b.mean(), 1e-5, 1e-6, false), "means of step " + step);
                    assertTrue(torch.allclose(a.std(), b.std(), 1e-5, 1e-6, false), "stds of step " + step);
                }
            }
            try (UNetTraining a = freshUNet(); UNetTraining b = freshUNet()) {
                for (int i = 0; i < cached.length; i++) {
                    cached[i] = step(a, fromCache, 8);
                    encoded[i] = step(b, perStep, 8);
                }
            }
        }
        for (int i = 0; i < cached.length; i++) {
            assertEquals(encoded[i], cached[i], 1e-5 * encoded[i], "loss of step " + i);
        }
        assertNotEquals(cached[0], cached[1]); // the steps differ: the equality is not a constant
    }

    @Test
    void theCacheIsRebuiltWhenTheVaeOrTheDataChange(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(LatentCache.FILE_NAME);
        try (EmojiDataset data = shapes(IMAGES, 1); EmojiDataset otherData = shapes(IMAGES, 2)) {
            String dataDigest = LatentCache.digest(data);
            assertFalse(LatentCache.isCurrent(file, vaeDigest(), dataDigest));
            String firstVae = vaeDigest();
            float before;
            try (CachedLatents c = cache(file, data, System.out)) {
                before = firstMean(c);
            }
            assertTrue(LatentCache.isCurrent(file, firstVae, dataDigest));
            assertEquals(before, firstMean(file, data, false), 0f); // read back, not re-encoded

            try (PointerScope scope = new PointerScope()) { // the VAE trains on: a different checkpoint
                vae.step(new SyntheticShapes(3).batch(99, 4));
            }
            assertNotEquals(firstVae, vaeDigest());
            assertFalse(LatentCache.isCurrent(file, vaeDigest(), dataDigest));
            float after = firstMean(file, data, true);
            assertNotEquals(before, after);
            try (PointerScope scope = new PointerScope()) { // what the changed VAE encodes
                Tensor x = data.batch(new long[] {0});
                float expected = dev.easel.trainer.train.Posterior.encode(vae.model(), x).mean().flatten(0, -1)
                        .get(0).item().toFloat();
                assertEquals(expected, after, 1e-5f);
            }
            assertTrue(LatentCache.isCurrent(file, vaeDigest(), dataDigest));

            assertFalse(LatentCache.isCurrent(file, vaeDigest(), LatentCache.digest(otherData)));
            firstMean(file, otherData, true);
            assertTrue(LatentCache.isCurrent(file, vaeDigest(), LatentCache.digest(otherData)));
        }
    }

    /** The first mean value of the cache loaded or built for {@code data}; checks whether it was (re)encoded. */
    private static float firstMean(Path file, EmojiDataset data, boolean expectEncoding) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
             CachedLatents c = cache(file, data, out)) {
            assertEquals(expectEncoding, log.toString(StandardCharsets.UTF_8).contains("encoding"), log.toString());
            assertTrue(Files.isRegularFile(file));
            return firstMean(c);
        }
    }

    /** The first mean value of the cache's full-data first batch in data order. */
    private static float firstMean(CachedLatents c) {
        try (PointerScope scope = new PointerScope()) {
            return c.mean().flatten(0, -1).get(0).item().toFloat();
        }
    }

    @Test
    void aRunResumedOnTheCacheContinuesExactly(@TempDir Path dir) throws Exception {
        try (EmojiDataset data = shapes(IMAGES, 1);
             CachedLatents latents = cache(dir.resolve(LatentCache.FILE_NAME), data, System.out)) {
            double uninterrupted;
            try (UNetTraining straight = freshUNet()) {
                for (int i = 0; i < 4; i++) {
                    step(straight, latents, 8);
                }
                uninterrupted = step(straight, latents, 8);
            }
            Path run = dir.resolve("run");
            try (UNetTraining first = freshUNet()) {
                for (int i = 0; i < 4; i++) {
                    step(first, latents, 8);
                }
                Checkpoints.save(run, first);
            }
            try (UNetTraining resumed = freshUNet()) {
                Checkpoints.restore(Checkpoints.latest(run).orElseThrow(), resumed);
                assertEquals(4, resumed.steps());
                assertEquals(uninterrupted, step(resumed, latents, 8), 1e-7 * uninterrupted);
            }
        }
    }

    private static double step(UNetTraining t, LatentSource source, int batchSize) {
        try (PointerScope scope = new PointerScope()) {
            return t.step(source.batch(t.steps(), batchSize));
        }
    }
}
