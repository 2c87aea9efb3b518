package dev.easel.trainer;

import dev.easel.runtime.Torch;
import dev.easel.trainer.data.DataFolder;
import dev.easel.trainer.data.DataLicenses;
import dev.easel.trainer.data.DatasetCache;
import dev.easel.trainer.data.EmojiDataset;
import dev.easel.trainer.data.EmojiEntry;
import dev.easel.trainer.data.EmojiFetch;
import dev.easel.trainer.data.EmojiSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code easel train data}: fetches the emoji packages with npm, builds the composited dataset cache, writes the
 * data's LICENSES.md, and prints what the training set holds.
 */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Fetch the emoji images (npm), build the dataset cache and summarise it.")
public final class DataCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder for the packages and the cache (default: the trainer's target/emoji-data).")
    Path dataDir;

    @Option(names = "--rebuild", description = "Rebuild the cache even when it is current.")
    boolean rebuild;

    @Option(names = "--examples", paramLabel = "N", defaultValue = "8", description = "Captions to show (default 8).")
    int examples;

    @Override
    public Integer call() throws Exception {
        Path dir = (dataDir != null ? dataDir : DataFolder.defaultFolder()).toAbsolutePath().normalize();
        long t0 = System.nanoTime();
        boolean downloaded = new EmojiFetch().fetch(dir);
        System.out.printf("packages: %s in %s (%s, %.1f s)%n", String.join(", ", packages()), dir.resolve("node_modules"),
                downloaded ? "fetched with npm" : "already there", seconds(t0));
        Path cache = DatasetCache.file(dir);
        if (rebuild) {
            Files.deleteIfExists(cache);
        }
        if (!DatasetCache.isCurrent(cache)) {
            long t1 = System.nanoTime();
            DatasetCache.loadOrBuild(dir).close();
            System.out.printf("cache built from the PNGs in %.1f s%n", seconds(t1));
        }
        long tTorch = System.nanoTime();
        Torch.load(); // timed apart, so the cache's load time is the cache's alone
        double torchSeconds = seconds(tTorch);
        long t2 = System.nanoTime();
        try (EmojiDataset dataset = DatasetCache.read(cache)) {
            double loadSeconds = seconds(t2);
            summarise(dataset);
            System.out.printf("cache: %s (%.1f MiB), loaded in %.0f ms (libtorch loaded before, in %.1f s)%n", cache,
                    Files.size(cache) / 1048576.0, loadSeconds * 1000, torchSeconds);
        }
        System.out.println("licenses: " + DataLicenses.write(dir));
        return 0;
    }

    private void summarise(EmojiDataset dataset) {
        StringBuilder perSet = new StringBuilder();
        for (EmojiSet set : EmojiSet.values()) {
            long count = dataset.entries().stream().filter(e -> e.set() == set).count();
            perSet.append(perSet.isEmpty() ? "" : ", ").append(set.id()).append(' ').append(count);
        }
        List<String> captions = dataset.captions();
        long names = dataset.entries().stream().map(EmojiEntry::name).distinct().count();
        System.out.printf("images: %d (%s), 64×64 RGB on white, %.1f MiB as uint8%n", dataset.size(), perSet,
                dataset.imageBytes() / 1048576.0);
        System.out.printf("captions: %d distinct (%d emoji names)%n", new HashSet<>(captions).size(), names);
        int shown = Math.min(examples, dataset.size());
        for (int k = 0; k < shown; k++) {
            int i = (int) ((long) k * dataset.size() / shown); // spread over both sets and all categories
            System.out.printf(Locale.ROOT, "  %5d  %s%n", i, captions.get(i));
        }
    }

    private static List<String> packages() {
        return Arrays.stream(EmojiSet.values()).map(s -> s.packageName() + "@" + EmojiFetch.VERSION).toList();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
