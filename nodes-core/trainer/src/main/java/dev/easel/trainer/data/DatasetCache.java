package dev.easel.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.runtime.safetensors.SafetensorsFile;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import dev.easel.runtime.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The composited training set on disk, so that decoding ~7,500 PNGs happens once: one safetensors file with the
 * uint8 tensor {@code images [N, 3, 64, 64]} and, in its {@code __metadata__}, the entries (set, image file, name,
 * skin tone, category and caption, in tensor order) as JSON. One file, written atomically, so images and captions
 * can never disagree; Python reads it with {@code safetensors.safe_open(...).metadata()}.
 */
public final class DatasetCache {

    /** The cache's file name in the data folder. */
    public static final String FILE_NAME = "dataset.safetensors";

    /** Changes when the layout or the compositing changes, so that an old cache is rebuilt, not misread. */
    static final String FORMAT = "easel-emoji-dataset/1";

    private static final String IMAGES = "images";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DatasetCache() {
    }

    /** Where the cache of the data in {@code dataDir} lives. */
    public static Path file(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /**
     * The cached set of {@code dataDir} when there is a current one, otherwise the set built from the installed
     * packages (which must have been fetched) and then cached.
     */
    public static EmojiDataset loadOrBuild(Path dataDir) throws IOException {
        Path file = file(dataDir);
        if (isCurrent(file)) {
            return read(file);
        }
        EmojiDataset built = EmojiDataset.build(EmojiCatalog.load(dataDir),
                set -> set.imageFolder(EmojiFetch.packageFolder(dataDir, set)));
        try {
            write(built, file);
        } catch (IOException | RuntimeException e) {
            built.close();
            throw e;
        }
        return built;
    }

    /** True when {@code file} exists and was written by this format from the pinned package version. */
    public static boolean isCurrent(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
            Map<String, String> metadata = safetensors.metadata();
            return FORMAT.equals(metadata.get("format")) && packages().equals(metadata.get("packages"));
        } catch (IOException e) {
            return false; // unreadable: rebuild it
        }
    }

    /** Writes {@code dataset} to {@code file} atomically (readers see the old file or the whole new one). */
    public static void write(EmojiDataset dataset, Path file) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("packages", packages());
        metadata.put("entries", JSON.writeValueAsString(entriesJson(dataset.entries())));
        Files.createDirectories(file.toAbsolutePath().getParent());
        SafetensorsWriter.writeAtomically(file, Map.of(IMAGES, dataset.images()), metadata);
    }

    /**
     * Reads a cache written by {@link #write}.
     *
     * @throws IOException naming the file when it is not a dataset cache of this format, or its parts disagree
     */
    public static EmojiDataset read(Path file) throws IOException {
        try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
            Map<String, String> metadata = safetensors.metadata();
            if (!FORMAT.equals(metadata.get("format")) || !metadata.containsKey("entries")
                    || !safetensors.contains(IMAGES)) {
                throw new IOException(file + ": not an emoji dataset cache of format " + FORMAT);
            }
            List<EmojiEntry> entries = entries(JSON.readTree(metadata.get("entries")), file);
            TensorInfo info = safetensors.info(IMAGES);
            long[] expected = {entries.size(), 3, EmojiImages.SIZE, EmojiImages.SIZE};
            if (!Arrays.equals(info.shape(), expected)) {
                throw new IOException(file + ": images are " + Arrays.toString(info.shape()) + " for "
                        + entries.size() + " entries");
            }
            Tensor images;
            try (PointerScope scope = new PointerScope()) {
                images = safetensors.load(IMAGES); // a private copy: the file may be rebuilt while training
                images.retainReference();
            }
            return new EmojiDataset(entries, images);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Both packages with their pinned version, as the cache records its source. */
    static String packages() {
        return Arrays.stream(EmojiSet.values()).map(s -> s.packageName() + "@" + EmojiFetch.VERSION)
                .reduce((a, b) -> a + " " + b).orElseThrow();
    }

    private static ArrayNode entriesJson(List<EmojiEntry> entries) {
        ArrayNode array = JSON.createArrayNode();
        for (EmojiEntry entry : entries) {
            ObjectNode node = array.addObject();
            node.put("set", entry.set().id());
            node.put("image", entry.image());
            node.put("name", entry.name());
            node.put("skin_tone", entry.skinTone());
            node.put("category", entry.category());
            node.put("caption", entry.caption());
        }
        return array;
    }

    private static List<EmojiEntry> entries(JsonNode array, Path file) throws IOException {
        if (array == null || !array.isArray()) {
            throw new IOException(file + ": the entries metadata is not a JSON array");
        }
        List<EmojiEntry> entries = new ArrayList<>(array.size());
        for (JsonNode node : array) {
            entries.add(new EmojiEntry(EmojiSet.byId(node.path("set").asText()), node.path("image").asText(),
                    node.path("name").asText(), node.path("skin_tone").asText(), node.path("category").asText()));
        }
        return entries;
    }
}
