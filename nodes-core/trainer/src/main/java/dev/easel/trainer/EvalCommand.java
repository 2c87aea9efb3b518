package dev.easel.trainer;

import dev.easel.trainer.data.DataFolder;
import dev.easel.trainer.data.DatasetCache;
import dev.easel.trainer.data.EmojiDataset;
import dev.easel.trainer.eval.EvalReport;
import dev.easel.trainer.eval.ModelEvaluation;
import dev.easel.trainer.eval.PromptChoice;
import dev.easel.trainer.eval.RandomWeightExport;
import dev.easel.trainer.eval.SamplingSettings;
import dev.easel.trainer.model.TinySdConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code easel train eval}: how often an image the model generates for a data-set caption is closest (RGB L2) to a
 * training image of the same emoji, for the exported checkpoint and for random weights of the same architecture.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Measure an exported checkpoint: generate one image per caption with the default workflow, "
                + "find the nearest training image, count emoji-name matches (top-1, top-5) against a "
                + "random-weight floor; writes metrics.json and contact-sheet.png.")
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", description = "The exported .safetensors to measure (default: only the "
            + "random-weight floor).")
    Path checkpoint;

    @Option(names = "--config", description = "Architecture of the random-weight floor: DEFAULT or SMOKE "
            + "(default: ${DEFAULT-VALUE}).")
    String config = "DEFAULT";

    @Option(names = "--no-floor", description = "Skip the random-weight floor.")
    boolean noFloor;

    @Option(names = "--data-dir", description = "The emoji data folder (default: nodes-core/trainer/target/emoji-data).")
    Path dataDir;

    @Option(names = "--count", description = "Captions to generate (default: ${DEFAULT-VALUE}).")
    int count = 200;

    @Option(names = "--captions", split = ";", paramLabel = "CAPTION", description = "Measure these captions of the "
            + "data set (separated by ';') instead of --count seeded ones, e.g. common prompts for a contact sheet.")
    List<String> captions;

    @Option(names = "--seed", description = "Seed of the caption choice, the floor's weights and the first sampling "
            + "seed (caption i samples with seed + i) (default: ${DEFAULT-VALUE}).")
    long seed = 1234;

    @Option(names = "--steps", description = "KSampler steps (default: ${DEFAULT-VALUE}).")
    int steps = 20;

    @Option(names = "--cfg", description = "KSampler cfg (default: ${DEFAULT-VALUE}).")
    double cfg = 7.0;

    @Option(names = "--sampler", description = "KSampler sampler_name (default: ${DEFAULT-VALUE}).")
    String sampler = "euler";

    @Option(names = "--scheduler", description = "KSampler scheduler (default: ${DEFAULT-VALUE}).")
    String scheduler = "normal";

    @Option(names = "--batch", description = "Prompts per engine run (default: ${DEFAULT-VALUE}).")
    int batch = 20;

    @Option(names = "--sheet", description = "Prompts on the contact sheet (default: ${DEFAULT-VALUE}).")
    int sheet = 24;

    @Option(names = "--threads", description = "CPU threads for libtorch (default: ${DEFAULT-VALUE}).")
    int threads = 1;

    @Option(names = "--out", description = "Folder for metrics.json and contact-sheet.png (default: "
            + "nodes-core/trainer/target/eval/<checkpoint name>).")
    Path out;

    @Override
    public Integer call() throws Exception {
        TrainThreads.set(threads);
        TinySdConfig floorConfig = TinySdConfig.valueOf(config);
        Path outDir = out != null ? out : Path.of("nodes-core", "trainer", "target", "eval",
                checkpoint != null ? checkpoint.getFileName().toString().replaceFirst("\\.safetensors$", "")
                        : "random-" + config.toLowerCase(Locale.ROOT));
        Path work = Files.createDirectories(outDir.resolve("work"));
        SamplingSettings settings = new SamplingSettings(steps, cfg, sampler, scheduler, seed);
        try (EmojiDataset data = DatasetCache.loadOrBuild(dataDir != null ? dataDir : DataFolder.defaultFolder())) {
            List<Integer> prompts = captions != null ? PromptChoice.byCaption(data.entries(), captions)
                    : PromptChoice.pick(data.entries(), count, seed);
            System.out.printf("evaluating %d captions against %,d training images (%d steps, cfg %.1f, %s/%s)%n",
                    prompts.size(), data.size(), steps, cfg, sampler, scheduler);
            ModelEvaluation.Result model = checkpoint == null ? null
                    : ModelEvaluation.run(checkpoint, data, prompts, settings, batch, work.resolve("model"), System.out);
            ModelEvaluation.Result floor = null;
            if (!noFloor) {
                Path random = RandomWeightExport.export(floorConfig, seed, work.resolve("random-train"),
                        work.resolve("random-" + config.toLowerCase(Locale.ROOT) + ".safetensors"));
                floor = ModelEvaluation.run(random, data, prompts, settings, batch, work.resolve("floor"), System.out);
            }
            if (model == null && floor == null) {
                throw new IllegalArgumentException("nothing to measure: pass --checkpoint or drop --no-floor");
            }
            Path metrics = EvalReport.writeMetrics(outDir, settings, seed, prompts, data, model, floor);
            ModelEvaluation.Result shown = model != null ? model : floor;
            String title = (model != null ? shown.checkpoint().getFileName().toString() : "random weights (" + config
                    + ")") + ": generated | nearest training image (green: same emoji)";
            Path contactSheet = EvalReport.writeContactSheet(outDir, title, shown, prompts, data, sheet);
            if (model != null) {
                System.out.println(EvalReport.summary("model", model));
            }
            if (floor != null) {
                System.out.println(EvalReport.summary("random-weight floor", floor));
            }
            System.out.println("wrote " + metrics + " and " + contactSheet);
        }
        return 0;
    }
}
