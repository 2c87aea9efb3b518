package dev.easel.nodes.core.unet;

import dev.easel.nodes.core.model.StateDict;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;

/**
 * A key → shape view of a state dict: what model detection needs, without the tensors. {@link StateDict}s are viewed
 * with {@link #of(StateDict)}; a manifest (such as a {@code *_keys.tsv} listing of a real checkpoint) with
 * {@link #of(Map)}, so that a multi-gigabyte layout can be checked without allocating it.
 */
public interface ShapeSource {

    /** All keys, sorted. */
    Set<String> keys();

    /** The shape of {@code key}, or {@code null} when there is no such key. */
    long[] shape(String key);

    default boolean has(String key) {
        return shape(key) != null;
    }

    /** The entries under {@code prefix}, with the prefix removed (for example {@code "model.diffusion_model."}). */
    default ShapeSource withPrefix(String prefix) {
        Map<String, long[]> sub = new LinkedHashMap<>();
        for (String key : keys()) {
            if (key.startsWith(prefix)) {
                sub.put(key.substring(prefix.length()), shape(key));
            }
        }
        return of(sub);
    }

    /** A view of {@code dict}'s shapes (read when asked; the dict must stay alive while the view is used). */
    static ShapeSource of(StateDict dict) {
        return new ShapeSource() {
            @Override
            public Set<String> keys() {
                return dict.keys();
            }

            @Override
            public long[] shape(String key) {
                if (!dict.has(key)) {
                    return null;
                }
                try (PointerScope scope = new PointerScope()) {
                    return dict.get(key).shape();
                }
            }
        };
    }

    /** A fixed map of shapes (copied). */
    static ShapeSource of(Map<String, long[]> shapes) {
        Map<String, long[]> copy = new LinkedHashMap<>();
        shapes.forEach((k, v) -> copy.put(k, v.clone()));
        Set<String> keys = Collections.unmodifiableSet(new TreeSet<>(copy.keySet()));
        return new ShapeSource() {
            @Override
            public Set<String> keys() {
                return keys;
            }

            @Override
            public long[] shape(String key) {
                long[] s = copy.get(key);
                return s == null ? null : s.clone();
            }
        };
    }
}
