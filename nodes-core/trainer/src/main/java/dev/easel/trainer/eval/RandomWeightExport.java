package dev.easel.trainer.eval;

import dev.easel.nodes.core.vae.LatentFormat;
import dev.easel.trainer.model.TinySdConfig;
import dev.easel.trainer.train.CheckpointExport;
import dev.easel.trainer.train.Checkpoints;
import dev.easel.trainer.train.TrainSettings;
import dev.easel.trainer.train.UNetTraining;
import dev.easel.trainer.train.VaeTraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The untrained floor: fresh (seeded, initialised as for training) weights of a configuration, exported exactly as a
 * trained model is ({@link CheckpointExport}: fp16, SD1.x layout), so that it runs through the same loader.
 */
public final class RandomWeightExport {

    private RandomWeightExport() {
    }

    /** Writes the fresh model of {@code config} to {@code out}, going through a checkpoint in {@code workDir}. */
    public static Path export(TinySdConfig config, long seed, Path workDir, Path out) throws IOException {
        Path checkpoint;
        try (VaeTraining vae = new VaeTraining(config.vae(), TrainSettings.of(seed, 1e-4));
             // SD1.x's own latent scale, so that export folds in nothing
             UNetTraining unet = new UNetTraining(config.clip(), config.unet(), vae.parameters().tensors(),
                     LatentFormat.SD15.scaleFactor(), TrainSettings.of(seed + 1, 1e-4))) {
            checkpoint = Checkpoints.save(Files.createDirectories(workDir).resolve("random-unet"), unet);
        }
        CheckpointExport.export(checkpoint, out);
        return out;
    }
}
