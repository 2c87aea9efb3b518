package dev.easel.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.runtime.Torch;
import dev.easel.trainer.model.Sd1Layout;
import dev.easel.trainer.model.TinySdConfig;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short runs on the synthetic shapes: the losses fall, and a resumed run continues the same run exactly. */
class TrainingTest {

    private static final TinySdConfig CONFIG = TinySdConfig.SMOKE;
    private static final BatchSource SHAPES = new SyntheticShapes(3);

    /** One thread per pool: the test machine's two cores are shared, and spinning OpenMP workers stall there. */
    @org.junit.jupiter.api.BeforeAll
    static void singleThreaded() {
        Torch.load();
        org.bytedeco.pytorch.global.torch.set_num_threads(1);
        org.bytedeco.openblas.global.openblas_full.openblas_set_num_threads(1);
    }

    @Test
    void vaeLossFalls() {
        Torch.load();
        try (VaeTraining vae = new VaeTraining(CONFIG.vae(), TrainSettings.of(11, 2e-3))) {
            double first = heldOut(vae);
            run(vae, 30);
            double last = heldOut(vae);
            System.out.printf("VAE loss %.4f -> %.4f%n", first, last);
            assertTrue(last < 0.6 * first, "VAE loss " + first + " -> " + last);
        }
    }

    /** Trained on 32-pixel crops only, the autoencoder reconstructs whole 64-pixel images better. */
    @Test
    void aVaeTrainedOnCropsReconstructsWholeImages() {
        Torch.load();
        try (VaeTraining vae = new VaeTraining(CONFIG.vae(), TrainSettings.of(11, 2e-3), 32)) {
            double first = wholeImageError(vae);
            run(vae, 30);
            double last = wholeImageError(vae);
            System.out.printf("VAE (32-pixel crops) whole-image L1 %.4f -> %.4f%n", first, last);
            assertTrue(last < 0.6 * first, "whole-image L1 " + first + " -> " + last);
        }
        assertThrows(IllegalArgumentException.class, () -> new VaeTraining(CONFIG.vae(), TrainSettings.of(1, 1e-3), 12));
    }

    /** L1 between held-out 64×64 images and the reconstruction of their posterior means. */
    private static double wholeImageError(VaeTraining vae) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Tensor x = SHAPES.batch(2_000_000, 8).images();
            Tensor mean = vae.model().encodeBatch(x).narrow(1, 0, vae.model().config().embedDim());
            return vae.model().decodeBatch(mean).sub(x).abs().mean().item().toDouble();
        }
    }

    @Test
    void unetLossFalls() {
        Torch.load();
        try (VaeTraining vae = new VaeTraining(CONFIG.vae(), TrainSettings.of(11, 2e-3))) {
            run(vae, 5);
            double scale = UNetTraining.measureScaleFactor(vae.model(), SHAPES, 2, 4);
            assertTrue(scale > 0 && Double.isFinite(scale));
            try (UNetTraining unet = new UNetTraining(CONFIG.clip(), CONFIG.unet(),
                    vae.ema().weights().tensors(), scale, TrainSettings.of(5, 2e-3));
                 LatentSource latents = new EncodedLatents(SHAPES, vae.model())) {
                double first = heldOut(unet, latents);
                run(unet, latents, 40);
                double last = heldOut(unet, latents);
                System.out.printf("UNet loss %.4f -> %.4f%n", first, last);
                assertTrue(last < 0.85 * first, "UNet loss " + first + " -> " + last);
            }
        }
    }

    @Test
    void resumingGivesTheSameNextLossAsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Torch.load();
        double uninterrupted;
        try (VaeTraining straight = new VaeTraining(CONFIG.vae(), TrainSettings.of(21, 1e-3))) {
            run(straight, 4);
            uninterrupted = stepAt(straight);
        }
        try (VaeTraining first = new VaeTraining(CONFIG.vae(), TrainSettings.of(21, 1e-3))) {
            run(first, 4);
            Checkpoints.save(dir, first);
        }
        try (VaeTraining resumed = new VaeTraining(CONFIG.vae(), TrainSettings.of(21, 1e-3))) {
            Checkpoints.restore(Checkpoints.latest(dir).orElseThrow(), resumed);
            assertEquals(4, resumed.steps());
            assertEquals(uninterrupted, stepAt(resumed), 1e-7 * uninterrupted);
        }
    }

    @Test
    void eachStepUsesTheScheduledRateAlsoAfterResumingWithANewSchedule(@TempDir Path dir) throws Exception {
        Torch.load();
        try (VaeTraining first = new VaeTraining(CONFIG.vae(), TrainSettings.of(21, 1e-3))) {
            run(first, 2);
            assertEquals(1e-3, first.learningRate(), 1e-12);
            Checkpoints.save(dir, first);
        }
        TrainSettings decaying = TrainSettings.of(21, 1e-3).withDecay(2, 4);
        try (VaeTraining resumed = new VaeTraining(CONFIG.vae(), decaying)) {
            Checkpoints.restore(Checkpoints.latest(dir).orElseThrow(), resumed);
            for (long step = 2; step < 5; step++) {
                stepAt(resumed);
                assertEquals(decaying.lrAt(step), resumed.learningRate(), 1e-12, "step " + step);
            }
            assertEquals(1e-3 * TrainSettings.FINAL_LR_FRACTION, resumed.learningRate(), 1e-12);
        }
    }

    @Test
    void aStopRequestEndsTheRunAtAStepBoundaryWithACheckpoint(@TempDir Path dir) throws Exception {
        Torch.load();
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        try (VaeTraining vae = new VaeTraining(CONFIG.vae(), TrainSettings.of(31, 1e-3));
                java.io.PrintStream out = new java.io.PrintStream(printed, true)) {
            TrainingRun.run("vae", vae, SHAPES, 2, 10, 100, dir, out, () -> vae.steps() >= 3);
            assertEquals(3, vae.steps());
        }
        try (VaeTraining resumed = new VaeTraining(CONFIG.vae(), TrainSettings.of(31, 1e-3))) {
            Checkpoints.restore(Checkpoints.latest(dir).orElseThrow(), resumed);
            assertEquals(3, resumed.steps(), "the checkpoint written on stopping");
        }
        assertTrue(printed.toString().contains("stopped at step 3"), printed.toString());
    }

    private static double stepAt(Training<Batch> t) {
        return stepAt(t, SHAPES);
    }

    /** One step on the batch of {@code source} for the training's current step (batch 4). */
    static <B> double stepAt(Training<B> t, Batches<B> source) {
        try (PointerScope scope = new PointerScope()) {
            return t.step(source.batch(t.steps(), 4));
        }
    }

    private static void run(Training<Batch> t, int steps) {
        run(t, SHAPES, steps);
    }

    static <B> void run(Training<B> t, Batches<B> source, int steps) {
        for (int i = 0; i < steps; i++) {
            stepAt(t, source);
        }
    }

    private static double heldOut(Training<Batch> t) {
        return heldOut(t, SHAPES);
    }

    /** Mean loss on four fixed batches of 8 not used for training, with fixed draws (noise, timesteps). */
    private static <B> double heldOut(Training<B> t, Batches<B> source) {
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            try (PointerScope scope = new PointerScope()) {
                sum += t.evaluate(source.batch(1_000_000 + i, 8), 1_000_000 + i);
            }
        }
        return sum / 4;
    }
}
