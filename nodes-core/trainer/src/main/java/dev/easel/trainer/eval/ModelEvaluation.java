package dev.easel.trainer.eval;

import dev.easel.trainer.data.EmojiDataset;
import dev.easel.trainer.data.EmojiEntry;
import dev.easel.trainer.data.EmojiImages;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Measures one checkpoint: generates an image for each chosen caption through the engine ({@link EngineImages}),
 * finds each image's nearest training images ({@link NearestImages}) and scores their names ({@link MatchScores}).
 */
public final class ModelEvaluation {

    /** Neighbours kept per prompt: enough for top-5. */
    static final int NEIGHBOURS = 5;

    /**
     * What one checkpoint scored.
     *
     * @param checkpoint      the file evaluated
     * @param images          the generated images, planar RGB, in prompt order
     * @param neighbours      the nearest training images of each
     * @param scores          top-1 / top-5 name matches
     * @param generateSeconds wall time of generation (engine runs, model loads included)
     * @param searchSeconds   wall time of the nearest-neighbour search
     */
    public record Result(Path checkpoint, List<byte[]> images, NearestImages.Neighbours neighbours,
                         MatchScores scores, double generateSeconds, double searchSeconds) {
    }

    private ModelEvaluation() {
    }

    /**
     * Evaluates {@code checkpoint} on the entries of {@code data} at {@code prompts} (their captions are the
     * prompts); {@code batch} prompts go into each engine run. Progress lines go to {@code log}.
     */
    public static Result run(Path checkpoint, EmojiDataset data, List<Integer> prompts, SamplingSettings settings,
                             int batch, Path workDir, PrintStream log) throws IOException {
        List<EmojiEntry> entries = data.entries();
        List<byte[]> images = new ArrayList<>(prompts.size());
        long start = System.nanoTime();
        try (EngineImages engine = new EngineImages(checkpoint, workDir)) {
            for (int from = 0; from < prompts.size(); from += batch) {
                int to = Math.min(prompts.size(), from + batch);
                List<String> captions = prompts.subList(from, to).stream().map(i -> entries.get(i).caption())
                        .toList();
                long[] seeds = LongStream.range(from, to).map(i -> settings.seed() + i).toArray();
                images.addAll(engine.generate(captions, seeds, settings));
                log.printf("  %s: %d/%d images, %.1f s%n", checkpoint.getFileName(), to, prompts.size(),
                        seconds(start));
            }
        }
        double generateSeconds = seconds(start);
        long searchStart = System.nanoTime();
        NearestImages.Neighbours neighbours = nearest(images, data);
        double searchSeconds = seconds(searchStart);
        List<String> promptNames = prompts.stream().map(i -> entries.get(i).name()).toList();
        List<String> trainingNames = entries.stream().map(EmojiEntry::name).toList();
        MatchScores scores = MatchScores.of(promptNames, neighbours.indices(), trainingNames);
        return new Result(checkpoint, images, neighbours, scores, generateSeconds, searchSeconds);
    }

    /** The nearest training images of each image (planar RGB bytes) among all of {@code data}. */
    public static NearestImages.Neighbours nearest(List<byte[]> images, EmojiDataset data) {
        try (PointerScope scope = new PointerScope()) {
            Tensor queries = stack(images);
            Tensor training = data.bytes(LongStream.range(0, data.size()).toArray());
            return NearestImages.find(queries, training, Math.min(NEIGHBOURS, data.size()));
        }
    }

    /** The images as one uint8 tensor {@code [N, 3, 64, 64]}, in the caller's scope. */
    static Tensor stack(List<byte[]> images) {
        BytePointer bytes = new BytePointer((long) images.size() * EmojiImages.BYTES);
        for (int i = 0; i < images.size(); i++) {
            bytes.position((long) i * EmojiImages.BYTES).put(images.get(i));
        }
        bytes.position(0);
        return torch.from_blob(bytes, new long[] {images.size(), 3, EmojiImages.SIZE, EmojiImages.SIZE},
                new TensorOptions(ScalarType.Byte)).clone();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
