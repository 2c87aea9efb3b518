package dev.easel.trainer;

import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.vae.AutoencoderKL;
import dev.easel.trainer.data.EmojiDataset;
import dev.easel.trainer.data.LatentCache;
import dev.easel.trainer.model.ModelParameters;
import dev.easel.trainer.model.Sd1Layout;
import dev.easel.trainer.model.TinySdConfig;
import dev.easel.trainer.train.Checkpoints;
import dev.easel.trainer.train.EncodedLatents;
import dev.easel.trainer.train.LatentSource;
import dev.easel.trainer.train.TensorDigest;
import dev.easel.trainer.train.TrainSettings;
import dev.easel.trainer.train.Training;
import dev.easel.trainer.train.TrainingRun;
import dev.easel.trainer.train.UNetTraining;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code easel train unet}: trains the UNet and text encoder on the trained VAE's latents. The emoji are encoded once
 * into {@code <out>/latents.safetensors} (rebuilt when the VAE or the data differ); a resumed run keeps the VAE frozen
 * in its own checkpoint, so a VAE run that went on meanwhile does not change it.
 */
@Command(name = "unet", mixinStandardHelpOptions = true,
        description = "Train the UNet and text encoder jointly on the trained VAE's latents (step 2 of 3).")
public final class UNetCommand implements Callable<Integer> {

    /** Batches the latent scale factor is measured on. */
    private static final int SCALE_BATCHES = 8;

    @Mixin
    TrainOptions options;

    @Option(names = "--out", description = "Checkpoint folder (default: nodes-core/trainer/target/train/unet).")
    Path out = TrainOptions.defaultDir("unet");

    @Option(names = "--vae", description = "The VAE's checkpoint folder (default: nodes-core/trainer/target/train/vae).")
    Path vaeDir = TrainOptions.defaultDir("vae");

    @Option(names = "--no-latent-cache", description = "Encode every batch with the VAE at every step instead of"
            + " reading the posteriors encoded once (the synthetic shapes are always encoded per step).")
    boolean noLatentCache;

    @Override
    public Integer call() throws Exception {
        TrainThreads.set(options.threads);
        Commands.checkStart(out, options.resume);
        TinySdConfig config = TinySdConfig.DEFAULT;
        try (Checkpoints.Loaded vaeSource = vaeCheckpoint();
             ModelParameters vae = ModelParameters.copyOf(vaeSource.under(vaePrefix()), false);
             LatentSource latents = latents(vae)) {
            double scale = options.resume
                    ? Double.parseDouble(vaeSource.state().get("scale_factor")) // the run's own, not re-measured
                    : UNetTraining.measureScaleFactor(latents, SCALE_BATCHES, options.batch);
            System.out.printf("latent scale factor %.5f (1 / latent std; SD1.5 has 0.18215)%n", scale);
            TrainSettings settings = options.settings();
            try (UNetTraining training = new UNetTraining(config.clip(), config.unet(), vae.tensors(), scale,
                    settings)) {
                Commands.startOrResume(out, options.resume, training);
                System.out.printf("UNet + text encoder: %,d parameters, batch %d, checkpoints in %s%n",
                        training.parameters().count(), options.batch, out);
                TrainingRun.run("unet", training, latents, options.batch, options.steps, options.saveEvery, out,
                        System.out);
            }
        }
        System.out.println("saved " + Checkpoints.latest(out).orElseThrow());
        return 0;
    }

    /** A new run's VAE is the VAE run's latest EMA; a resumed run's is the one frozen in its own checkpoint. */
    private Checkpoints.Loaded vaeCheckpoint() throws IOException {
        if (options.resume) {
            return Checkpoints.load(Checkpoints.latest(out).orElseThrow());
        }
        Path latest = Checkpoints.latest(vaeDir)
                .orElseThrow(() -> new IllegalArgumentException("no VAE checkpoint in " + vaeDir + ": run vae first"));
        System.out.println("VAE: " + latest);
        return Checkpoints.load(latest);
    }

    private String vaePrefix() {
        return options.resume ? Training.FROZEN : Training.EMA;
    }

    private LatentSource latents(ModelParameters vaeWeights) throws IOException {
        StateDict view = vaeWeights.view(Sd1Layout.VAE_PREFIX);
        AutoencoderKL vae;
        try {
            vae = AutoencoderKL.of(view);
        } finally {
            view.release();
        }
        try {
            if (options.synthetic || noLatentCache) {
                return new EncodedLatents(options.source(), vae);
            }
            try (EmojiDataset data = options.dataset()) {
                return LatentCache.loadOrBuild(out.resolve(LatentCache.FILE_NAME), data, vae,
                        TensorDigest.of(vaeWeights.tensors()), options.seed, System.out);
            }
        } finally {
            vae.release();
        }
    }
}
