package dev.easel.nodes.core.vae;

import dev.easel.nodes.core.model.StateDict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;

/**
 * The names and shapes of a set of weights, without their values: what architecture detection needs. A loaded
 * {@link StateDict} ({@link #of(StateDict)}) and a key manifest such as {@code sd15_keys.tsv} ({@link #readTsv}) both
 * give one, so detection can be tested on full-size layouts without allocating their weights.
 */
public interface TensorShapes {

    /** Every tensor name, sorted. */
    Set<String> names();

    /** The shape of {@code name}, or {@code null} when there is no such tensor. */
    long[] shape(String name);

    default boolean has(String name) {
        return shape(name) != null;
    }

    /** The shape of {@code name}; a clear error when it is missing. */
    default long[] require(String name) {
        long[] shape = shape(name);
        if (shape == null) {
            throw new IllegalArgumentException("missing weight '" + name + "'");
        }
        return shape;
    }

    /** The tensors under {@code prefix}, with the prefix removed (for example {@code "first_stage_model."}). */
    default TensorShapes withPrefix(String prefix) {
        Map<String, long[]> sub = new LinkedHashMap<>();
        for (String name : names()) {
            if (name.startsWith(prefix)) {
                sub.put(name.substring(prefix.length()), shape(name));
            }
        }
        return of(sub);
    }

    /** A fixed name → shape table. */
    static TensorShapes of(Map<String, long[]> shapes) {
        Map<String, long[]> copy = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> copy.put(name, shape.clone()));
        Set<String> names = Collections.unmodifiableSet(new TreeSet<>(copy.keySet()));
        return new TensorShapes() {
            @Override
            public Set<String> names() {
                return names;
            }

            @Override
            public long[] shape(String name) {
                long[] shape = copy.get(name);
                return shape == null ? null : shape.clone();
            }

            @Override
            public String toString() {
                return "TensorShapes[" + names.size() + " tensors]";
            }
        };
    }

    /** A live view of the shapes of {@code dict}'s tensors (valid while the dict is). */
    static TensorShapes of(StateDict dict) {
        return new TensorShapes() {
            @Override
            public Set<String> names() {
                return dict.keys();
            }

            @Override
            public long[] shape(String name) {
                if (!dict.has(name)) {
                    return null;
                }
                try (PointerScope scope = new PointerScope()) {
                    return dict.get(name).shape();
                }
            }

            @Override
            public String toString() {
                return "TensorShapes[" + dict.source() + "]";
            }
        };
    }

    /**
     * Reads a key manifest: tab-separated {@code name, dtype, shape} lines with the shape written as {@code 512x4x3x3}
     * (empty for a 0-dim tensor); {@code #} comment lines and the {@code name dtype shape} header are skipped.
     */
    static TensorShapes readTsv(Path file) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#") || line.startsWith("name\t")) {
                continue;
            }
            String[] cols = line.split("\t", -1);
            if (cols.length < 3) {
                throw new IOException(file + ":" + lineNo + ": expected name<TAB>dtype<TAB>shape, got '" + line + "'");
            }
            String dims = cols[2].trim();
            long[] shape;
            try {
                shape = dims.isEmpty() ? new long[0] : Arrays.stream(dims.split("x")).mapToLong(Long::parseLong).toArray();
            } catch (NumberFormatException e) {
                throw new IOException(file + ":" + lineNo + ": bad shape '" + dims + "'", e);
            }
            shapes.put(cols[0], shape);
        }
        return of(shapes);
    }
}
