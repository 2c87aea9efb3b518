package dev.easel.nodes.core.lora;

import dev.easel.node.FileFingerprint;
import dev.easel.node.RefCounted;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.model.files.CheckpointReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A LoRA file read for one model: its low-rank pairs, each resolved to the checkpoint weight it patches
 * ({@link LoraKeyMap}), and the tensor names it has that this model does not use (reported, as the reference
 * reports "lora key not loaded"). Owns the file's tensors (float32) until {@link #close()}.
 */
public final class LoraFile implements RefCounted, AutoCloseable {

    /** How trainers spell a pair's two halves after the module name: up (B) and down (A). */
    private static final List<String[]> SPELLINGS = List.of(
            new String[] {".lora_up.weight", ".lora_down.weight"}, // kohya sd-scripts
            new String[] {".lora_B.weight", ".lora_A.weight"}, // PEFT
            new String[] {"_lora.up.weight", "_lora.down.weight"}, // diffusers attention processors
            new String[] {".lora.up.weight", ".lora.down.weight"},
            new String[] {".lora_linear_layer.up.weight", ".lora_linear_layer.down.weight"});
    private static final String ALPHA = ".alpha";

    /**
     * One low-rank pair: its weight's delta is {@code strength · scale · (up.flatten(1) @ down.flatten(1))} reshaped
     * to the weight, where {@code scale} is {@code alpha / rank}, or 1 when the file gives no alpha.
     */
    public record Pair(String module, String target, Tensor up, Tensor down, double scale) {

        /**
         * The delta for a weight of {@code shape} at {@code strength}, float32. The factor {@code strength · scale}
         * is formed in double precision and applied as one float32 multiply, as in the reference.
         *
         * @throws IllegalArgumentException when the pair does not fit the shape ({@link #requireFits})
         */
        public Tensor delta(long[] shape, double strength) {
            requireFits(shape);
            Tensor lowRank = up().flatten(1, -1).mm(down().flatten(1, -1));
            return lowRank.reshape(shape).mul(new Scalar(strength * scale));
        }

        /** Checks that the pair's product has the weight's size (and that up and down agree on the rank). */
        public void requireFits(long[] shape) {
            long[] up = up().shape();
            long[] down = down().shape();
            long product = up[0];
            for (int i = 1; i < down.length; i++) {
                product *= down[i];
            }
            if (up.length < 2 || up[1] != down[0] || product != numel(shape)) {
                throw new IllegalArgumentException("LoRA module '" + module + "' does not fit " + target + " "
                        + Arrays.toString(shape) + ": up " + Arrays.toString(up) + ", down " + Arrays.toString(down));
            }
        }

        private static long numel(long[] shape) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final String name;
    private final String identity;
    private final StateDict tensors;
    private final List<Pair> pairs;
    private final List<String> ignored;

    private LoraFile(String name, String identity, StateDict tensors, List<Pair> pairs, List<String> ignored) {
        this.name = name;
        this.identity = identity;
        this.tensors = tensors;
        this.pairs = List.copyOf(pairs);
        this.ignored = List.copyOf(ignored);
    }

    /**
     * Reads {@code file} (safetensors or a pickled checkpoint) and resolves its pairs with {@code keys}.
     *
     * @throws IllegalArgumentException when a pair is incomplete (an up without its down, or the reverse)
     */
    public static LoraFile read(Path file, LoraKeyMap keys) throws IOException {
        String identity = FileFingerprint.stamp(file);
        StateDict tensors = CheckpointReader.read(file, ScalarType.Float);
        try {
            return resolve(file.getFileName().toString(), identity, tensors, keys);
        } catch (RuntimeException e) {
            tensors.release();
            throw e;
        }
    }

    /** Resolves the pairs of {@code tensors} (which the result then owns). */
    static LoraFile resolve(String source, String identity, StateDict tensors, LoraKeyMap keys) {
        Map<String, String[]> halves = new LinkedHashMap<>(); // module → {up key, down key}
        TreeSet<String> unclaimed = new TreeSet<>(tensors.keys());
        for (String key : tensors.keys()) {
            for (String[] spelling : SPELLINGS) {
                for (int half = 0; half < 2; half++) {
                    if (key.endsWith(spelling[half])) {
                        String module = key.substring(0, key.length() - spelling[half].length());
                        halves.computeIfAbsent(module, m -> new String[2])[half] = key;
                    }
                }
            }
        }
        List<Pair> pairs = new ArrayList<>();
        for (Map.Entry<String, String[]> entry : halves.entrySet()) {
            String module = entry.getKey();
            String[] keyPair = entry.getValue();
            var target = keys.target(module);
            if (target.isEmpty()) {
                continue; // stays unclaimed: this model has no such weight
            }
            if (keyPair[0] == null || keyPair[1] == null) {
                throw new IllegalArgumentException(source + ": LoRA module '" + module + "' has "
                        + (keyPair[0] == null ? keyPair[1] + " but no up weight" : keyPair[0] + " but no down weight"));
            }
            Double alpha = null;
            if (tensors.has(module + ALPHA)) {
                alpha = tensors.get(module + ALPHA).item().toDouble();
                unclaimed.remove(module + ALPHA);
            }
            Tensor down = tensors.get(keyPair[1]);
            double scale = alpha == null ? 1.0 : alpha / down.size(0);
            pairs.add(new Pair(module, target.get(), tensors.get(keyPair[0]), down, scale));
            unclaimed.remove(keyPair[0]);
            unclaimed.remove(keyPair[1]);
        }
        return new LoraFile(source, identity, tensors, pairs, new ArrayList<>(unclaimed));
    }

    /** The file's name. */
    public String name() {
        return name;
    }

    /** What the file is (name, size, modification time), for the content hashes of the models it patches. */
    public String identity() {
        return identity;
    }

    /** The pairs this model uses, in file order. */
    public List<Pair> pairs() {
        return pairs;
    }

    /** Whether a pair patches a weight whose full name starts with {@code prefix} (a UNet's, or one text tower's). */
    public boolean patchesUnder(String prefix) {
        return pairs.stream().anyMatch(p -> p.target().startsWith(prefix));
    }

    /** Tensor names of the file that patch nothing in this model, sorted. */
    public List<String> ignoredKeys() {
        return ignored;
    }

    /** The weights the file's pairs need in float32 (its own memory while it is loaded). */
    @Override
    public long nativeBytes() {
        return tensors.nativeBytes();
    }

    @Override
    public void retain() {
        tensors.retain();
    }

    @Override
    public void release() {
        tensors.release();
    }

    /** {@link #release()}: for the reader that owns the only reference. */
    @Override
    public void close() {
        release();
    }
}
