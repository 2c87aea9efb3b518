package dev.easel.trainer;

import dev.easel.trainer.train.BatchSource;
import dev.easel.trainer.train.SyntheticShapes;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every training subcommand shares. */
public final class TrainOptions {

    @Option(names = "--steps", description = "Train up to this many optimizer steps (default: ${DEFAULT-VALUE}).")
    public long steps = 1000;

    @Option(names = "--batch", description = "Images per step (default: ${DEFAULT-VALUE}).")
    public int batch = 16;

    @Option(names = "--lr", description = "AdamW learning rate (default: ${DEFAULT-VALUE}).")
    public double lr = 1e-4;

    @Option(names = "--seed", description = "Seed of the weights and of every random draw (default: ${DEFAULT-VALUE}).")
    public long seed = 1234;

    @Option(names = "--resume", description = "Continue the run whose checkpoint is in --out.")
    public boolean resume;

    @Option(names = "--save-every", description = "Checkpoint every N steps (default: ${DEFAULT-VALUE}).")
    public long saveEvery = 500;

    @Option(names = "--synthetic", description = "Train on generated shapes (\"red circle\", ...) instead of the emoji.")
    public boolean synthetic;

    /**
     * One by default: on the 2-core machine convolutions gain nothing from a second OpenMP thread (java-stack §1.5),
     * and with other load present 2 threads made VAE steps 4× slower (0.10 against 0.41 it/s at batch 16).
     */
    @Option(names = "--threads", description = "CPU threads for libtorch convolutions (default: ${DEFAULT-VALUE}).")
    public int threads = 1;

    /** The training images. */
    public BatchSource source() {
        if (synthetic) {
            return new SyntheticShapes(seed);
        }
        throw new IllegalArgumentException("the emoji data set is not wired into the trainer yet: use --synthetic");
    }

    /** Where checkpoints of {@code part} go by default. */
    public static Path defaultDir(String part) {
        return Path.of("nodes-core", "trainer", "target", "train", part);
    }
}
