package dev.easel.trainer;

import dev.easel.trainer.model.TinySdConfig;
import dev.easel.trainer.train.BatchSource;
import dev.easel.trainer.train.Checkpoints;
import dev.easel.trainer.train.TrainSettings;
import dev.easel.trainer.train.TrainingRun;
import dev.easel.trainer.train.VaeTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code easel train vae}: trains the small KL-f8 autoencoder. */
@Command(name = "vae", mixinStandardHelpOptions = true, description = "Train the VAE (step 1 of 3).")
public final class VaeCommand implements Callable<Integer> {

    @Mixin
    TrainOptions options;

    @Option(names = "--out", description = "Checkpoint folder (default: nodes-core/trainer/target/train/vae).")
    Path out = TrainOptions.defaultDir("vae");

    @Option(names = "--crop", description = "Train on random crops of this size, a multiple of 8 (0: whole images;"
            + " default: ${DEFAULT-VALUE}, a quarter of the work per image).")
    int crop = 32;

    @Override
    public Integer call() throws Exception {
        TrainThreads.set(options.threads);
        TrainSettings settings = options.settings();
        try (VaeTraining training = new VaeTraining(TinySdConfig.DEFAULT.vae(), settings, crop);
             BatchSource source = options.source()) {
            Commands.startOrResume(out, options.resume, training);
            System.out.printf("VAE: %,d parameters, batch %d, checkpoints in %s%n", training.parameters().count(),
                    options.batch, out);
            TrainingRun.run("vae ", training, source, options.batch, options.steps, options.saveEvery, out,
                    System.out);
        }
        System.out.println("saved " + Checkpoints.latest(out).orElseThrow());
        return 0;
    }
}
