package dev.easel.trainer.train;

import dev.easel.nodes.core.model.StateDict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import dev.easel.runtime.safetensors.SafetensorsFile;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Resumable checkpoints of a {@link Training} in a folder: each save goes into a new {@code ckpt-<step>} folder
 * (weights + EMA + frozen weights + state in {@code weights.safetensors}, AdamW moments in {@code optimizer.pt}),
 * and only when it is complete does the {@code latest} file, replaced by an atomic rename, point at it. A crash
 * mid-save leaves the previous checkpoint in force; older folders are removed after the switch.
 */
public final class Checkpoints {

    static final String WEIGHTS = "weights.safetensors";
    static final String OPTIMIZER = "optimizer.pt";
    private static final String LATEST = "latest";

    private Checkpoints() {
    }

    /** Saves {@code training} under {@code root}; returns the checkpoint's folder. */
    public static Path save(Path root, Training<?> training) throws IOException {
        Files.createDirectories(root);
        String name = String.format("ckpt-%09d", training.steps());
        Path staging = root.resolve("." + name + ".partial");
        deleteTree(staging);
        Files.createDirectories(staging);
        training.writeTo(staging);
        Path target = root.resolve(name);
        deleteTree(target);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        Path pointer = root.resolve("." + LATEST + ".tmp");
        Files.writeString(pointer, name + "\n", StandardCharsets.UTF_8);
        Files.move(pointer, root.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> old = Files.list(root)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("ckpt-")
                    && !p.getFileName().toString().equals(name)).toList()) {
                deleteTree(p);
            }
        }
        return target;
    }

    /** The folder of the latest complete checkpoint under {@code root}, if any. */
    public static Optional<Path> latest(Path root) throws IOException {
        Path pointer = root.resolve(LATEST);
        if (!Files.isRegularFile(pointer)) {
            return Optional.empty();
        }
        return Optional.of(root.resolve(Files.readString(pointer, StandardCharsets.UTF_8).trim()));
    }

    /** Resumes {@code training} from the checkpoint in {@code dir}. */
    public static void restore(Path dir, Training<?> training) throws IOException {
        try (Loaded loaded = load(dir)) {
            training.readFrom(loaded);
        }
    }

    /** Reads a checkpoint folder's weights (float32) and state. */
    public static Loaded load(Path dir) throws IOException {
        Path file = dir.resolve(WEIGHTS);
        Map<String, String> state;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            state = new LinkedHashMap<>(f.metadata());
        }
        return new Loaded(dir, StateDict.readSafetensors(file, ScalarType.Float), state);
    }

    /** A checkpoint read back: its weights (released by {@link #close()}) and state. */
    public record Loaded(Path dir, StateDict weights, Map<String, String> state) implements AutoCloseable {

        /** The tensors whose names start with {@code prefix}, prefix removed (borrowed until close). */
        public Map<String, Tensor> under(String prefix) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String key : weights.keys()) {
                if (key.startsWith(prefix)) {
                    out.put(key.substring(prefix.length()), weights.get(key));
                }
            }
            return out;
        }

        @Override
        public void close() {
            weights.release();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            all.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.delete(x);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
