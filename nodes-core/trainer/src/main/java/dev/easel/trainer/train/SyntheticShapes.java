package dev.easel.trainer.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import dev.easel.runtime.Torch;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.bytedeco.pytorch.global.torch;

/**
 * Generated 64×64 pictures of one coloured shape on white, captioned "red circle", "blue square", ...: a stand-in
 * data set that exercises the whole pipeline (and is learnable in minutes) without the emoji download. Shape, colour,
 * size and position are drawn from a random stream seeded by (seed, step, index), so batches are reproducible.
 */
public final class SyntheticShapes implements BatchSource {

    public static final int SIZE = 64;

    /** Colour names and their RGB (0..1). */
    private static final String[] COLOURS = {"red", "green", "blue", "yellow", "purple", "orange"};
    private static final float[][] RGB = {
            {0.9f, 0.1f, 0.1f}, {0.1f, 0.7f, 0.2f}, {0.1f, 0.2f, 0.9f}, {0.95f, 0.85f, 0.1f}, {0.6f, 0.1f, 0.7f},
            {1.0f, 0.55f, 0.0f}};
    private static final String[] SHAPES = {"circle", "square", "triangle"};

    private final long seed;

    public SyntheticShapes(long seed) {
        this.seed = seed;
    }

    @Override
    public Batch batch(long step, int batchSize) {
        float[] pixels = new float[batchSize * 3 * SIZE * SIZE];
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < batchSize; i++) {
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step * 1_000_003L + i);
            int colour = r.nextInt(COLOURS.length);
            int shape = r.nextInt(SHAPES.length);
            captions.add(COLOURS[colour] + " " + SHAPES[shape]);
            draw(pixels, i, SHAPES[shape], RGB[colour], r);
        }
        Torch.load();
        FloatPointer data = new FloatPointer(pixels);
        Tensor images = torch.from_blob(data, new long[] {batchSize, 3, SIZE, SIZE},
                new TensorOptions(ScalarType.Float)).clone(); // owns its memory; data is freed with the scope
        return new Batch(images, captions);
    }

    private static void draw(float[] px, int index, String shape, float[] rgb, SplittableRandom r) {
        double radius = 12 + r.nextDouble() * 12;
        double cx = radius + r.nextDouble() * (SIZE - 2 * radius);
        double cy = radius + r.nextDouble() * (SIZE - 2 * radius);
        int plane = SIZE * SIZE;
        int base = index * 3 * plane;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double dx = x + 0.5 - cx;
                double dy = y + 0.5 - cy;
                boolean inside = switch (shape) {
                    case "circle" -> dx * dx + dy * dy <= radius * radius;
                    case "square" -> Math.abs(dx) <= radius * 0.8 && Math.abs(dy) <= radius * 0.8;
                    default -> dy <= radius * 0.7 && dy >= -radius && Math.abs(dx) <= (dy + radius) * 0.6;
                };
                for (int c = 0; c < 3; c++) {
                    float v = inside ? rgb[c] : 1.0f;
                    px[base + c * plane + y * SIZE + x] = 2 * v - 1; // −1..1
                }
            }
        }
    }
}
