package dev.easel.trainer;

import dev.easel.nodes.core.vae.AutoencoderKL;
import dev.easel.trainer.model.ModelParameters;
import dev.easel.trainer.model.Sd1Layout;
import dev.easel.trainer.model.TinySdConfig;
import dev.easel.trainer.train.BatchSource;
import dev.easel.trainer.train.Checkpoints;
import dev.easel.trainer.train.TrainSettings;
import dev.easel.trainer.train.TrainingRun;
import dev.easel.trainer.train.UNetTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code easel train unet}: trains the UNet and text encoder on the trained VAE's latents. */
@Command(name = "unet", mixinStandardHelpOptions = true,
        description = "Train the UNet and text encoder jointly on the trained VAE's latents (step 2 of 3).")
public final class UNetCommand implements Callable<Integer> {

    @Mixin
    TrainOptions options;

    @Option(names = "--out", description = "Checkpoint folder (default: nodes-core/trainer/target/train/unet).")
    Path out = TrainOptions.defaultDir("unet");

    @Option(names = "--vae", description = "The VAE's checkpoint folder (default: nodes-core/trainer/target/train/vae).")
    Path vaeDir = TrainOptions.defaultDir("vae");

    @Override
    public Integer call() throws Exception {
        TrainThreads.set(options.threads);
        TinySdConfig config = TinySdConfig.DEFAULT;
        Path vaeCheckpoint = Checkpoints.latest(vaeDir)
                .orElseThrow(() -> new IllegalArgumentException("no VAE checkpoint in " + vaeDir + ": run vae first"));
        try (BatchSource source = options.source();
             Checkpoints.Loaded loaded = Checkpoints.load(vaeCheckpoint);
             ModelParameters vae = ModelParameters.copyOf(loaded.under("ema/"), false)) {
            double scale;
            if (options.resume) {
                Path latest = Checkpoints.latest(out)
                        .orElseThrow(() -> new IllegalArgumentException("no checkpoint to resume in " + out));
                try (Checkpoints.Loaded run = Checkpoints.load(latest)) {
                    scale = Double.parseDouble(run.state().get("scale_factor")); // the run's own, not re-measured
                }
            } else {
                var view = vae.view(Sd1Layout.VAE_PREFIX);
                AutoencoderKL model = AutoencoderKL.of(view);
                view.release();
                try {
                    scale = UNetTraining.measureScaleFactor(model, source, 8, options.batch);
                } finally {
                    model.release();
                }
            }
            System.out.printf("latent scale factor %.5f (1 / latent std; SD1.5 has 0.18215)%n", scale);
            TrainSettings settings = TrainSettings.of(options.seed, options.lr);
            try (UNetTraining training = new UNetTraining(config.clip(), config.unet(), vae.tensors(), scale,
                    settings)) {
                Commands.startOrResume(out, options.resume, training);
                System.out.printf("UNet + text encoder: %,d parameters, batch %d, checkpoints in %s%n",
                        training.parameters().count(), options.batch, out);
                TrainingRun.run("unet", training, source, options.batch, options.steps, options.saveEvery, out,
                        System.out);
            }
        }
        System.out.println("saved " + Checkpoints.latest(out).orElseThrow());
        return 0;
    }
}
