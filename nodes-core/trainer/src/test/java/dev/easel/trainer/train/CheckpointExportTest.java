package dev.easel.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.sd.CheckpointLoading;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import dev.easel.trainer.model.Sd1Layout;
import dev.easel.trainer.model.TinySdConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported file is a clean SD1.x checkpoint for the core pack's loader, and holds exactly the weights in fp16. */
class CheckpointExportTest {

    @Test
    void exportLoadsThroughCheckpointLoadingAndRuns(@TempDir Path dir) throws Exception {
        Torch.load();
        TinySdConfig config = TinySdConfig.SMOKE;
        BatchSource shapes = new SyntheticShapes(9);
        long params;
        double scale;
        Path unetDir = dir.resolve("unet");
        try (VaeTraining vae = new VaeTraining(config.vae(), TrainSettings.of(1, 1e-3))) {
            try (PointerScope s = new PointerScope()) {
                vae.step(shapes.batch(0, 2));
            }
            scale = UNetTraining.measureScaleFactor(vae.model(), shapes, 1, 4);
            try (UNetTraining unet = new UNetTraining(config.clip(), config.unet(), vae.ema().weights().tensors(),
                    scale, TrainSettings.of(2, 1e-3))) {
                try (PointerScope s = new PointerScope();
                     LatentSource latents = new EncodedLatents(shapes, vae.model())) {
                    unet.step(latents.batch(0, 2));
                }
                Checkpoints.save(unetDir, unet);
                params = unet.parameters().count() + vae.parameters().count();
            }
        }
        Path file = dir.resolve("tiny.safetensors");
        assertEquals(scale, CheckpointExport.export(Checkpoints.latest(unetDir).orElseThrow(), file), 0.0);

        // size: every parameter in fp16, plus position_ids (77 int64), plus the 8-byte length and the JSON header
        long headerLength;
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b);
            headerLength = b.flip().getLong();
        }
        assertEquals(params * 2 + 77 * 8 + 8 + headerLength, Files.size(file));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(Sd1Layout.all(config).size() + 1, f.names().size());
            assertEquals("F16", f.info(Sd1Layout.UNET_PREFIX + "out.2.weight").dtype().toString());
        }

        CheckpointLoading.Parts parts = CheckpointLoading.load(file, ScalarType.Float);
        try {
            assertTrue(parts.unexpectedKeys().isEmpty(), "left over: " + parts.unexpectedKeys());
            assertEquals(config.unet(), parts.model().unet().config());
            assertEquals(config.vae(), parts.vae().vae().config());
            assertEquals(config.clip(), parts.clip().model().config());
            try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                Tensor context = parts.clip().encode("red circle").cond();
                Tensor eps = parts.model().unet().forward(torch.randn(1, 4, 8, 8), torch.ones(1), context);
                Tensor image = parts.vae().vae().decodeToImage(torch.randn(1, 4, 8, 8));
                assertEquals(64, image.size(1));
                assertTrue(eps.isfinite().all().item().toBool() && image.isfinite().all().item().toBool());
            }
        } finally {
            parts.model().release();
            parts.clip().release();
            parts.vae().release();
        }
    }

    @Test
    void foldingTheScaleKeepsReconstructionsAndScalesTheLatent() {
        Torch.load();
        try (VaeTraining vae = new VaeTraining(TinySdConfig.SMOKE.vae(), TrainSettings.of(4, 1e-3));
             PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            var x = new SyntheticShapes(1).batch(0, 2).images();
            Tensor before = vae.model().encodeBatch(x).narrow(1, 0, 4);
            Tensor decodedBefore = vae.model().decodeBatch(before);
            var weights = new java.util.LinkedHashMap<>(vae.parameters().tensors());
            CheckpointExport.foldScale(weights, 3.0);
            vae.parameters().load(weights);
            Tensor after = vae.model().encodeBatch(x).narrow(1, 0, 4);
            assertTrue(after.allclose(before.mul(new org.bytedeco.pytorch.Scalar(3.0)), 1e-4, 1e-5, false));
            assertTrue(vae.model().decodeBatch(after).allclose(decodedBefore, 1e-4, 1e-4, false));
        }
    }
}
