package dev.easel.nodes.core.clip;

import dev.easel.node.FileFingerprint;
import dev.easel.node.ModelLibrary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Textual-inversion embeddings (Gal et al. 2022, "An Image is Worth One Word", arXiv:2208.01618) from the
 * {@code embeddings} model folder, found by the names prompts give them ({@code embedding:name}), as ComfyUI's
 * {@code load_embed}: the name is a path relative to the folder, with or without its extension ({@code .safetensors},
 * {@code .pt}, {@code .bin} are tried in that order when the exact name is no file), and every subfolder is searched
 * as if it were the folder itself (so {@code embedding:neg} finds {@code negatives/neg.pt}); the top level comes first,
 * then subfolders in listing order. Names cannot leave the folder.
 *
 * <p>One instance serves one encode: files are read at most once per instance (per tower key and width), into Java
 * arrays, so nothing native is kept. Problems go to the logger given (the node's), as warnings naming the embedding and
 * the file, and never fail the encode: a missing or unusable embedding is left out of the prompt, like ComfyUI.
 */
public final class Embeddings {

    /** The model folder type. */
    public static final String FOLDER = "embeddings";
    /**
     * Tower keys in multi-tower embedding files (ComfyUI's {@code embedding_key}): CLIP-L of SD1 and SDXL. ComfyUI's
     * SD2 (OpenCLIP ViT-H, width 1024) keeps this default key too, so use it there as well: an SDXL file's
     * {@code clip_l} entry is then 768 wide and skipped with a width warning, as in ComfyUI.
     */
    public static final String KEY_CLIP_L = "clip_l";
    /** SDXL's OpenCLIP bigG. */
    public static final String KEY_CLIP_G = "clip_g";

    private static final List<String> EXTENSIONS = List.of(".safetensors", ".pt", ".bin");

    private final ModelLibrary models;
    private final System.Logger log;
    private final Map<String, float[][]> loaded = new HashMap<>();

    public Embeddings(ModelLibrary models, System.Logger log) {
        this.models = Objects.requireNonNull(models, "models");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** False when the library has no embeddings folder type (then {@code embedding:} is prompt text). */
    public boolean enabled() {
        return models.folderTypes().contains(FOLDER);
    }

    /**
     * The lookup for one text-encoder tower.
     *
     * @param key   the tower's key in multi-tower files ({@link #KEY_CLIP_L}, {@link #KEY_CLIP_G}, ...), or
     *              {@code null} to always take the file's first tensor
     * @param width the tower's token-embedding width; embeddings of another width are skipped with a warning
     */
    public EmbeddingLookup forTower(String key, int width) {
        if (!enabled()) {
            return EmbeddingLookup.NONE;
        }
        return new EmbeddingLookup() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public float[][] find(String name) {
                Optional<Path> file = resolve(name);
                return file.isEmpty() ? null : load(name, file.get(), key, width);
            }

            @Override
            public void missing(String name) {
                log.log(System.Logger.Level.WARNING, "embedding:" + name + " does not exist in the " + FOLDER
                        + " folder; it is left out of the prompt");
            }
        };
    }

    /** The file {@code name} (as written after {@code embedding:}) stands for, if any. */
    public Optional<Path> resolve(String name) {
        if (name.isEmpty() || !enabled()) {
            return Optional.empty();
        }
        List<String> candidates = new ArrayList<>(1 + EXTENSIONS.size());
        candidates.add(name);
        EXTENSIONS.forEach(ext -> candidates.add(name + ext));
        for (String candidate : candidates) {
            Optional<Path> direct = tryResolve(candidate);
            if (direct.isPresent()) {
                return direct;
            }
        }
        // ComfyUI treats every subfolder as a root of its own
        List<String> listed = models.list(FOLDER);
        for (String candidate : candidates) {
            for (String file : listed) {
                if (file.endsWith("/" + candidate)) {
                    Optional<Path> found = tryResolve(file);
                    if (found.isPresent()) {
                        return found;
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A cache-key part for a prompt: for each embedding it names, the SHA-256 of the file it resolves to (or that
     * there is none), so the encode re-runs when such a file appears, changes or goes. {@code null} when the prompt
     * names no embedding or embeddings are off.
     */
    public String fingerprint(String prompt) throws IOException {
        List<String> names = WeightedTokenizer.embeddingNames(prompt);
        if (names.isEmpty() || !enabled()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (String name : names) {
            Optional<Path> file = resolve(name);
            out.append(name).append('=').append(file.isEmpty() ? "missing" : FileFingerprint.of(file.get()))
                    .append('\n');
        }
        return out.toString();
    }

    /**
     * A cache-key part for when the prompt is not known in advance (a linked input): the path, size and modification
     * time of every embedding file. Any change to the folder re-runs such encodes.
     */
    public String folderFingerprint() throws IOException {
        if (!enabled()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (String file : models.list(FOLDER)) {
            Optional<Path> path = tryResolve(file);
            out.append(path.isEmpty() ? "missing:" + file : FileFingerprint.stamp(path.get())).append('\n');
        }
        return out.toString();
    }

    private Optional<Path> tryResolve(String name) {
        try {
            return Optional.of(models.resolve(FOLDER, name));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty(); // no such file, or a name that would leave the folder
        }
    }

    private float[][] load(String name, Path file, String key, int width) {
        return loaded.computeIfAbsent(file + "\0" + key + "\0" + width, k -> {
            EmbeddingFile e;
            try {
                e = EmbeddingFile.read(file, key, width);
            } catch (IOException | RuntimeException ex) {
                log.log(System.Logger.Level.WARNING, "embedding:" + name + ": cannot read " + file + " ("
                        + ex.getMessage() + "); it is left out of the prompt");
                return new float[0][];
            }
            if (e.width() != width) {
                log.log(System.Logger.Level.WARNING, "embedding:" + name + ": " + file.getFileName() + " has vectors"
                        + " of width " + e.width() + " but this text encoder" + (key == null ? "" : " (" + key + ")")
                        + " takes width " + width + "; it is left out of the prompt");
                return new float[0][];
            }
            return e.vectors();
        });
    }
}
