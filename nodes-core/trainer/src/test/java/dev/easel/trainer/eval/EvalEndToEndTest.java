package dev.easel.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.runtime.Torch;
import dev.easel.trainer.TrainCli;
import dev.easel.trainer.data.DatasetCache;
import dev.easel.trainer.data.EmojiDataset;
import dev.easel.trainer.data.EmojiEntry;
import dev.easel.trainer.data.EmojiImages;
import dev.easel.trainer.data.EmojiSet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code easel train eval} end to end on a tiny synthetic data set and a random-weight SMOKE model: generation
 * through the engine, nearest-image search, metrics.json and the contact sheet.
 */
class EvalEndToEndTest {

    private static final int NAMES = 12;

    @BeforeAll
    static void oneThread() {
        Torch.load();
        torch.set_num_threads(1);
    }

    @Test
    void evalCommandWritesMetricsAndContactSheet(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("data");
        try (EmojiDataset data = syntheticDataset(dir.resolve("pngs"))) {
            DatasetCache.write(data, DatasetCache.file(dataDir));
        }
        Path out = dir.resolve("eval");
        int code = new CommandLine(new TrainCli()).execute("eval", "--config", "SMOKE", "--data-dir",
                dataDir.toString(), "--count", "5", "--steps", "2", "--batch", "3", "--sheet", "5", "--out",
                out.toString());
        assertEquals(0, code);

        JsonNode metrics = new ObjectMapper().readTree(out.resolve(EvalReport.METRICS).toFile());
        assertEquals(2 * NAMES, metrics.path("training_images").asInt());
        assertEquals(2, metrics.path("settings").path("steps").asInt());
        JsonNode floor = metrics.path("random_weights_floor");
        assertEquals(5, floor.path("prompts").asInt());
        int top1 = floor.path("top1").asInt();
        int top5 = floor.path("top5").asInt();
        assertTrue(0 <= top1 && top1 <= top5 && top5 <= 5, floor.toString());
        assertEquals(top1 / 5.0, floor.path("top1_rate").asDouble(), 1e-12);
        assertTrue(floor.path("generate_seconds").asDouble() > 0);
        int distinct = floor.path("distinct_nearest_images").asInt();
        assertTrue(1 <= distinct && distinct <= 5, floor.toString());
        // every synthetic name is drawn once per style: 2 of 24 images share a prompt's name
        assertEquals(2.0 / (2 * NAMES), metrics.path("chance_top1_rate").asDouble(), 1e-12);
        assertTrue(metrics.path("model").isMissingNode(), "no --checkpoint, no model entry");

        BufferedImage sheet = ImageIO.read(out.resolve(EvalReport.CONTACT_SHEET).toFile());
        assertEquals(ContactSheet.width(), sheet.getWidth());
        assertEquals(ContactSheet.height(5), sheet.getHeight());
        assertEquals(ContactSheet.height(8), ContactSheet.height(5), "two rows of four");
    }

    @Test
    void engineImagesAreTheSameAloneOrBatchedAndFoundByTheSearch(@TempDir Path dir) throws Exception {
        Path checkpoint = RandomWeightExport.export(dev.easel.trainer.model.TinySdConfig.SMOKE, 3,
                dir.resolve("train"), dir.resolve("random.safetensors"));
        SamplingSettings settings = new SamplingSettings(2, 7.0, "euler", "normal", 100);
        List<String> prompts = List.of("emoji 1, google style", "emoji 2, twitter style", "emoji 3, google style");
        List<byte[]> batched;
        byte[] alone;
        try (EngineImages engine = new EngineImages(checkpoint, dir.resolve("work"))) {
            batched = engine.generate(prompts, new long[] {100, 101, 102}, settings);
            alone = engine.generate(List.of(prompts.get(1)), new long[] {101}, settings).get(0);
        }
        assertEquals(3, batched.size());
        assertEquals(EmojiImages.BYTES, alone.length);
        assertArrayEquals(batched.get(1), alone, "a branch of the batched workflow is the one-prompt workflow");
        assertTrue(!java.util.Arrays.equals(batched.get(0), batched.get(1)), "different prompts and seeds differ");

        // a generated image put into the training set is found as its own nearest image
        try (EmojiDataset data = syntheticDataset(dir.resolve("pngs"), batched.get(2))) {
            NearestImages.Neighbours found = ModelEvaluation.nearest(List.of(batched.get(2)), data);
            assertEquals(data.size() - 1, found.indices()[0][0]);
            assertEquals(0.0, found.distances()[0][0], 0.0);
        }
    }

    @Test
    void trainingImagesAsQueriesScoreOneHundredPercent(@TempDir Path dir) throws Exception {
        try (EmojiDataset data = syntheticDataset(dir.resolve("pngs"))) {
            long[] picks = {0, 5, 13, 23};
            List<byte[]> queries = TrainingImages.planar(data, picks);
            NearestImages.Neighbours found = ModelEvaluation.nearest(queries, data);
            List<String> trainingNames = data.entries().stream().map(EmojiEntry::name).toList();
            List<String> promptNames = IntStream.range(0, picks.length)
                    .mapToObj(i -> data.entries().get((int) picks[i]).name()).toList();
            for (int i = 0; i < picks.length; i++) {
                assertEquals(picks[i], found.indices()[i][0]);
            }
            assertEquals(new MatchScores(4, 4, 4), MatchScores.of(promptNames, found.indices(), trainingNames));
        }
    }

    /**
     * {@link #NAMES} emoji in both styles, each a distinct seeded noise image, plus {@code extra} images (named
     * "extra i") when given.
     */
    static EmojiDataset syntheticDataset(Path folder, byte[]... extra) throws IOException {
        List<EmojiEntry> entries = new ArrayList<>();
        Random random = new Random(11);
        for (EmojiSet set : EmojiSet.values()) {
            Path images = Files.createDirectories(folder.resolve(set.id()));
            for (int i = 0; i < NAMES; i++) {
                BufferedImage image = new BufferedImage(EmojiImages.SIZE, EmojiImages.SIZE, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < EmojiImages.SIZE; y++) {
                    for (int x = 0; x < EmojiImages.SIZE; x++) {
                        image.setRGB(x, y, random.nextInt(1 << 24));
                    }
                }
                ImageIO.write(image, "png", images.resolve(i + ".png").toFile());
                entries.add(new EmojiEntry(set, i + ".png", "emoji " + i, "", "Symbols"));
            }
            for (int e = 0; e < extra.length && set == EmojiSet.GOOGLE; e++) {
                ImageIO.write(ContactSheet.image(extra[e]), "png", images.resolve("extra" + e + ".png").toFile());
            }
        }
        for (int e = 0; e < extra.length; e++) {
            entries.add(new EmojiEntry(EmojiSet.GOOGLE, "extra" + e + ".png", "extra " + e, "", "Symbols"));
        }
        return EmojiDataset.build(entries, set -> folder.resolve(set.id()));
    }
}
