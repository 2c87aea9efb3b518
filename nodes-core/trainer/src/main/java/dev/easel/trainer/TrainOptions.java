package dev.easel.trainer;

import dev.easel.trainer.data.DataFolder;
import dev.easel.trainer.data.DatasetCache;
import dev.easel.trainer.data.EmojiBatches;
import dev.easel.trainer.data.EmojiDataset;
import dev.easel.trainer.data.EmojiFetch;
import dev.easel.trainer.train.BatchSource;
import dev.easel.trainer.train.SyntheticShapes;
import dev.easel.trainer.train.TrainSettings;
import java.io.IOException;
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

    @Option(names = "--decay-from", paramLabel = "STEP", description = "Lower the learning rate along a half cosine "
            + "from this step to --steps, ending at 5% of --lr (default: constant).")
    public Long decayFrom;

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

    @Option(names = "--data-dir", description = "The emoji data folder made by `easel train data` (default: "
            + "nodes-core/trainer/target/emoji-data).")
    public Path dataDir;

    @Option(names = "--limit", description = "Train on a seeded subset of this many emoji (default: all).")
    public int limit;

    /** The optimisation settings these options ask for. */
    public TrainSettings settings() {
        TrainSettings constant = TrainSettings.of(seed, lr);
        return decayFrom == null ? constant : constant.withDecay(decayFrom, steps);
    }

    /** The training images: the emoji data set (fetched and cached by `easel train data` if needed), or shapes. */
    public BatchSource source() throws IOException {
        return synthetic ? new SyntheticShapes(seed) : new EmojiBatches(dataset(), seed);
    }

    /** The emoji data set of --data-dir, or its seeded --limit subset; the caller closes it. */
    public EmojiDataset dataset() throws IOException {
        Path dir = dataDir != null ? dataDir : DataFolder.defaultFolder();
        if (!DatasetCache.isCurrent(DatasetCache.file(dir)) && !EmojiFetch.isFetched(dir)) {
            throw new IllegalArgumentException("no emoji data in " + dir + ": run `easel train data` first (or pass"
                    + " --synthetic)");
        }
        EmojiDataset all = DatasetCache.loadOrBuild(dir);
        if (limit <= 0 || limit >= all.size()) {
            return all;
        }
        try (all) {
            return all.subset(limit, seed);
        }
    }

    /** Where checkpoints of {@code part} go by default. */
    public static Path defaultDir(String part) {
        return Path.of("nodes-core", "trainer", "target", "train", part);
    }
}
