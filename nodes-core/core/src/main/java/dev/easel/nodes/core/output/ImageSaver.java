package dev.easel.nodes.core.output;

import dev.easel.node.OutputFiles;
import dev.easel.node.OutputJournal;
import dev.easel.nodes.core.value.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Saves a batch of images as PNG files, the shared body of SaveImage and PreviewImage (ComfyUI's
 * {@code SaveImage.save_images}): one {@code <prefix>_<counter:05d>_.png} per image, counters increasing through the
 * batch, and the UI entries {@code {filename, subfolder, type}}.
 */
final class ImageSaver {

    /** Counters skipped when another save took the name first, before giving up. */
    private static final int MAX_NAME_COLLISIONS = 10_000;

    private final String type;
    private final int compressLevel;
    private final Clock clock;

    /**
     * @param type          the UI's folder type: {@code output} or {@code temp}
     * @param compressLevel zlib level of the PNGs
     * @param clock         for the {@code %year%}...{@code %second%} substitutions
     */
    ImageSaver(String type, int compressLevel, Clock clock) {
        this.type = type;
        this.compressLevel = compressLevel;
        this.clock = clock;
    }

    /** Saves every image of {@code images} ({@code [B, H, W, C]}) and returns the UI entries in batch order. */
    List<Map<String, Object>> save(Tensor images, String prefix, Path root, List<TextChunk> text,
            OutputJournal journal) {
        SaveTarget target = SavePathResolver.resolve(root, prefix, Images.width(images), Images.height(images),
                LocalDateTime.now(clock));
        List<Map<String, Object>> saved = new ArrayList<>();
        long counter = target.counter();
        for (int i = 0; i < Images.batch(images); i++) {
            BufferedImage image;
            try (PointerScope scope = new PointerScope()) {
                image = ImagePixels.toBufferedImage(images.select(0, i));
            }
            long used = writeUnderFreeName(image, target, i, counter, text, journal);
            String fileName = target.fileName(i, used);
            counter = used + 1;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("filename", fileName);
            entry.put("subfolder", target.subfolder());
            entry.put("type", type);
            saved.add(entry);
        }
        return saved;
    }

    /**
     * Writes to the first free {@code counter}: the folder scan and the write are not atomic, and nodes of parallel
     * branches may save with the same prefix at once, so the file is created exclusively ({@link OutputFiles}) and
     * the counter moves on when the name is taken.
     *
     * @return the counter the file was written under
     */
    private long writeUnderFreeName(BufferedImage image, SaveTarget target, int batchIndex, long counter,
            List<TextChunk> text, OutputJournal journal) {
        for (long candidate = counter; candidate < counter + MAX_NAME_COLLISIONS; candidate++) {
            Path file = target.folder().resolve(target.fileName(batchIndex, candidate));
            try {
                if (OutputFiles.createNew(file, journal, out -> PngWriter.write(image, text, compressLevel, out))) {
                    return candidate;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
        }
        throw new IllegalStateException("no free file name for '" + target.filename() + "' in " + target.folder());
    }
}
