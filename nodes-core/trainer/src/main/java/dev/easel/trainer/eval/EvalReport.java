package dev.easel.trainer.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.trainer.data.EmojiDataset;
import dev.easel.trainer.data.EmojiEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes an evaluation's results: {@code metrics.json}, {@code contact-sheet.png} and a summary line per model. */
public final class EvalReport {

    /** The metrics file's name in the out folder. */
    public static final String METRICS = "metrics.json";
    /** The contact sheet's name in the out folder. */
    public static final String CONTACT_SHEET = "contact-sheet.png";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private EvalReport() {
    }

    /**
     * Writes {@code metrics.json}: the settings, the data set's size, and for the model and the random-weight floor
     * (either may be {@code null}) the counts, rates and timings.
     */
    public static Path writeMetrics(Path outDir, SamplingSettings settings, long promptSeed, List<Integer> prompts,
                                    EmojiDataset data, ModelEvaluation.Result model, ModelEvaluation.Result floor)
            throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode s = root.putObject("settings");
        s.put("workflow", "default text-to-image (CheckpointLoaderSimple, CLIPTextEncode x2 with an empty negative,"
                + " EmptyLatentImage 64x64, KSampler, VAEDecode, SaveImage) run by the Easel engine");
        s.put("steps", settings.steps()).put("cfg", settings.cfg()).put("sampler", settings.sampler())
                .put("scheduler", settings.scheduler()).put("first_seed", settings.seed())
                .put("prompt_seed", promptSeed);
        s.put("distance", "squared L2 over the 64x64x3 RGB pixels (0..255) against every training image");
        s.put("match", "the nearest image's emoji name (no skin tone, no style) equals the prompt's");
        root.put("training_images", data.size());
        List<String> trainingNames = data.entries().stream().map(EmojiEntry::name).toList();
        List<String> promptNames = prompts.stream().map(i -> trainingNames.get(i)).toList();
        root.put("chance_top1_rate", MatchScores.chanceTop1(promptNames, trainingNames));
        if (model != null) {
            root.set("model", result(model));
        }
        if (floor != null) {
            root.set("random_weights_floor", result(floor));
        }
        Path file = Files.createDirectories(outDir).resolve(METRICS);
        JSON.writeValue(file.toFile(), root);
        return file;
    }

    private static ObjectNode result(ModelEvaluation.Result r) {
        ObjectNode node = JSON.createObjectNode();
        node.put("checkpoint", r.checkpoint().toString());
        node.put("prompts", r.scores().prompts());
        node.put("top1", r.scores().top1()).put("top5", r.scores().top5());
        node.put("top1_rate", r.scores().top1Rate()).put("top5_rate", r.scores().top5Rate());
        // few distinct nearest images means the outputs collapse onto "hub" images (plain pixel L2 favours flat ones)
        node.put("distinct_nearest_images", java.util.Arrays.stream(r.neighbours().indices())
                .mapToLong(row -> row[0]).distinct().count());
        node.put("generate_seconds", r.generateSeconds());
        node.put("seconds_per_image", r.scores().prompts() == 0 ? 0 : r.generateSeconds() / r.scores().prompts());
        node.put("search_seconds", r.searchSeconds());
        return node;
    }

    /** Writes the contact sheet of the first {@code tiles} prompts of {@code result}. */
    public static Path writeContactSheet(Path outDir, String title, ModelEvaluation.Result result,
                                         List<Integer> prompts, EmojiDataset data, int tiles) throws IOException {
        List<EmojiEntry> entries = data.entries();
        int n = Math.min(tiles, prompts.size());
        long[] nearestIndex = new long[n];
        for (int i = 0; i < n; i++) {
            nearestIndex[i] = result.neighbours().indices()[i][0];
        }
        List<byte[]> nearest = TrainingImages.planar(data, nearestIndex);
        List<ContactSheet.Tile> sheet = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            EmojiEntry prompt = entries.get(prompts.get(i));
            boolean match = entries.get((int) nearestIndex[i]).name().equals(prompt.name());
            sheet.add(new ContactSheet.Tile(prompt.caption(), result.images().get(i), nearest.get(i), match));
        }
        Path file = Files.createDirectories(outDir).resolve(CONTACT_SHEET);
        ContactSheet.write(title, sheet, file);
        return file;
    }

    /** One line: label, top-1 and top-5 counts and rates, seconds per image. */
    public static String summary(String label, ModelEvaluation.Result r) {
        MatchScores s = r.scores();
        return String.format("%s: top-1 %d/%d (%.1f%%), top-5 %d/%d (%.1f%%); %.2f s/image, search %.1f s", label,
                s.top1(), s.prompts(), 100 * s.top1Rate(), s.top5(), s.prompts(), 100 * s.top5Rate(),
                s.prompts() == 0 ? 0 : r.generateSeconds() / s.prompts(), r.searchSeconds());
    }
}
