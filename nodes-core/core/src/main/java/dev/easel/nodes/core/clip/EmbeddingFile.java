package dev.easel.nodes.core.clip;

import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.model.files.CheckpointFormatException;
import dev.easel.nodes.core.model.files.CheckpointReader;
import dev.easel.nodes.core.model.files.TorchCheckpoint;
import dev.easel.nodes.core.model.pickle.PickleException;
import dev.easel.nodes.core.model.pickle.PickledTensor;
import dev.easel.runtime.Torch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The vectors of one textual-inversion embedding file (Gal et al. 2022, arXiv:2208.01618), read into Java arrays so
 * that no native memory outlives the read. The layouts ComfyUI's {@code load_embed} accepts, tried in its order:
 *
 * <ol>
 *   <li>A1111 / original textual-inversion {@code .pt}: {@code {"string_to_param": {"*": tensor}, ...}}, the first
 *       value of {@code string_to_param};</li>
 *   <li>a list of dicts of tensors: every tensor whose last dimension is the tower's width, concatenated;</li>
 *   <li>the tower's key ({@code clip_l}, {@code clip_g}, ...) when the file has it (SDXL embeddings carry both);</li>
 *   <li>LoRA files with bundled embeddings: the {@code bundle_emb.*.string_to_param.*} tensors, else the
 *       {@code bundle_emb.*.<key>} tensors, concatenated;</li>
 *   <li>otherwise the first tensor ({@code emb_params} in A1111's safetensors files, plain tensors).</li>
 * </ol>
 *
 * <p>A zip whose pickle cannot be read safely falls back to ComfyUI's raw guess: its last storage of 768 or
 * more floats.
 *
 * <p>The chosen tensor becomes rows of its last dimension ({@code [n, width]}; a 1-D tensor is one vector). Files
 * are read with the restricted unpickler ({@link CheckpointReader}): nothing in them is executed. Safetensors keys
 * are taken in sorted order, as the Python safetensors loader returns them.
 *
 * @param vectors one row per token position, each {@code width} long
 */
public record EmbeddingFile(Path file, int width, float[][] vectors) {

    /** Reads {@code file} for the tower with {@code key} ({@code null}: no key) and {@code width}. */
    public static EmbeddingFile read(Path file, String key, int width) throws IOException {
        Torch.load();
        try (PointerScope scope = new PointerScope()) {
            Tensor chosen;
            if (CheckpointReader.detectFormat(file) == CheckpointReader.Format.SAFETENSORS) {
                StateDict sd = StateDict.readSafetensors(file, ScalarType.Float);
                try {
                    Map<Object, Object> all = new TreeMap<>();
                    sd.keys().forEach(k -> all.put(k, sd.get(k)));
                    chosen = choose(all, key, width, t -> (Tensor) t, file);
                    return of(file, chosen);
                } finally {
                    sd.release();
                }
            }
            TorchCheckpoint checkpoint;
            try {
                checkpoint = TorchCheckpoint.open(file);
            } catch (PickleException e) {
                EmbeddingFile raw = rawStorage(file); // e.g. a pickle naming classes outside the allow-list
                if (raw == null) {
                    throw e;
                }
                return raw;
            }
            try (checkpoint) {
                chosen = choose(checkpoint.root(), key, width, t -> checkpoint.view("embedding", (PickledTensor) t),
                        file);
                return of(file, chosen.to(ScalarType.Float));
            }
        }
    }

    /**
     * ComfyUI's last resort for a {@code torch.save} zip whose pickle it cannot load: the last storage entry of at
     * least 768 floats, read as float32 rows of 768 (SD1) when that divides it, else 1024 (SD2). No pickle is run.
     */
    private static EmbeddingFile rawStorage(Path file) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            zip.stream().map(ZipEntry::getName).filter(n -> n.contains("data/")).forEach(names::add);
            java.util.Collections.reverse(names);
            for (String name : names) {
                byte[] data;
                try (java.io.InputStream in = zip.getInputStream(zip.getEntry(name))) {
                    data = in.readAllBytes();
                }
                int n = data.length / 4;
                if (n < 768) {
                    continue;
                }
                int width = n % 768 == 0 ? 768 : 1024;
                java.nio.FloatBuffer floats = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer();
                float[][] rows = new float[n / width][width];
                for (float[] row : rows) {
                    floats.get(row);
                }
                return new EmbeddingFile(file, width, rows);
            }
        } catch (java.util.zip.ZipException e) {
            return null;
        }
        return null;
    }

    /** Number of vectors (token positions). */
    public int length() {
        return vectors.length;
    }

    @FunctionalInterface
    private interface Viewer {
        Tensor view(Object tensor) throws IOException;
    }

    private static boolean isTensor(Object o) {
        return o instanceof Tensor || o instanceof PickledTensor;
    }

    private static long lastDim(Object o) {
        long[] shape = o instanceof Tensor t ? t.shape() : ((PickledTensor) o).size();
        return shape.length == 0 ? -1 : shape[shape.length - 1];
    }

    private static Tensor choose(Object root, String key, int width, Viewer viewer, Path file) throws IOException {
        if (root instanceof List<?> list) {
            List<Tensor> parts = new ArrayList<>();
            for (Object item : list) {
                if (item instanceof Map<?, ?> m) {
                    for (Object v : m.values()) {
                        if (isTensor(v) && lastDim(v) == width) {
                            parts.add(rows(viewer.view(v)));
                        }
                    }
                }
            }
            return concat(parts, file, "no tensor of width " + width + " in its list of dicts");
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new CheckpointFormatException(file, null, "not an embedding: the file holds a "
                    + (root == null ? "None" : root.getClass().getSimpleName()) + ", not a dict of tensors");
        }
        Object picked = null;
        if (map.get("string_to_param") instanceof Map<?, ?> params && !params.isEmpty()) {
            picked = params.values().iterator().next();
        } else if (key != null && map.containsKey(key)) {
            picked = map.get(key);
        } else {
            Tensor bundled = bundled(map, ".string_to_param.*", viewer);
            if (bundled == null && key != null) {
                bundled = bundled(map, "." + key, viewer);
            }
            if (bundled != null) {
                return bundled;
            }
            if (!map.isEmpty()) {
                picked = map.values().iterator().next();
            }
        }
        if (!isTensor(picked)) {
            throw new CheckpointFormatException(file, null, "not an embedding: no tensor where one was expected (keys "
                    + map.keySet() + ")");
        }
        return viewer.view(picked);
    }

    private static Tensor bundled(Map<?, ?> map, String suffix, Viewer viewer) throws IOException {
        List<Tensor> parts = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getKey() instanceof String k && k.startsWith("bundle_emb.") && k.endsWith(suffix)
                    && isTensor(e.getValue())) {
                parts.add(rows(viewer.view(e.getValue())));
            }
        }
        return parts.isEmpty() ? null : torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
    }

    private static Tensor concat(List<Tensor> parts, Path file, String none) throws IOException {
        if (parts.isEmpty()) {
            throw new CheckpointFormatException(file, null, "not an embedding: " + none);
        }
        return torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
    }

    /** {@code t} as {@code [n, lastDim]}. */
    private static Tensor rows(Tensor t) {
        long[] shape = t.shape();
        long last = shape.length == 0 ? 1 : shape[shape.length - 1];
        return t.reshape(-1, last);
    }

    private static EmbeddingFile of(Path file, Tensor t) throws IOException {
        if (t.dim() == 0) {
            throw new CheckpointFormatException(file, null, "not an embedding: a scalar tensor");
        }
        Tensor r = rows(t).to(ScalarType.Float).contiguous();
        int n = Math.toIntExact(r.size(0));
        int width = Math.toIntExact(r.size(1));
        float[] flat = new float[n * width];
        if (flat.length > 0) {
            r.data_ptr_float().capacity(flat.length).get(flat);
        }
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return new EmbeddingFile(file, width, out);
    }
}
