package dev.easel.nodes.core.value;

import dev.easel.node.ContentHashable;
import dev.easel.node.RefCounted;
import dev.easel.runtime.TensorRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A CONDITIONING value: ComfyUI's list of {@code [cond [B, tokens, width], {options}]} pairs. Options hold the pooled
 * output ({@link #POOLED_OUTPUT}), areas, strengths, masks and whatever later features attach (ControlNet hints,
 * timestep ranges); their values are tensors ({@link TensorRef}), other {@link RefCounted} values (a ControlNet
 * application) or plain numbers, strings, booleans and lists.
 *
 * <p>Immutable. It owns no memory of its own: retain/release pass through to every counted value it holds, so entries shared
 * between conditionings (ConditioningCombine) count correctly.
 */
public final class Conditioning implements RefCounted, ContentHashable {

    /** The option key of the text encoder's pooled output. */
    public static final String POOLED_OUTPUT = "pooled_output";

    /** One {@code [cond, options]} pair. */
    public record Entry(TensorRef cond, Map<String, Object> options) {

        public Entry {
            options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        }

        /** A copy with one option set. */
        public Entry with(String key, Object value) {
            Map<String, Object> next = new LinkedHashMap<>(options);
            next.put(key, value);
            return new Entry(cond, next);
        }

        /** A copy with another cond tensor and the same options. */
        public Entry withCond(TensorRef newCond) {
            return new Entry(newCond, options);
        }

        public Optional<TensorRef> pooled() {
            return Optional.ofNullable((TensorRef) options.get(POOLED_OUTPUT));
        }
    }

    private final List<Entry> entries;

    private Conditioning(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static Conditioning of(List<Entry> entries) {
        return new Conditioning(entries);
    }

    /** The output of a text encoder: one entry with the pooled output as its only option (when present). */
    public static Conditioning of(TensorRef cond, TensorRef pooled) {
        Map<String, Object> options = new LinkedHashMap<>();
        if (pooled != null) {
            options.put(POOLED_OUTPUT, pooled);
        }
        return new Conditioning(List.of(new Entry(cond, options)));
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Both lists joined (ComfyUI's ConditioningCombine). */
    public Conditioning combine(Conditioning other) {
        List<Entry> joined = new ArrayList<>(entries);
        joined.addAll(other.entries);
        return new Conditioning(joined);
    }

    @Override
    public void retain() {
        forEachOwned(RefCounted::retain);
    }

    @Override
    public void release() {
        forEachOwned(RefCounted::release);
    }

    @Override
    public long nativeBytes() {
        long[] bytes = {0};
        forEachOwned(t -> bytes[0] += t.nativeBytes());
        return bytes[0];
    }

    /** Every counted value: the cond tensors and the option values that count owners (tensors, a ControlNet's). */
    private void forEachOwned(java.util.function.Consumer<RefCounted> action) {
        for (Entry e : entries) {
            action.accept(e.cond());
            for (Object v : e.options().values()) {
                forEachOwnedIn(v, action);
            }
        }
    }

    private static void forEachOwnedIn(Object v, java.util.function.Consumer<RefCounted> action) {
        if (v instanceof RefCounted r) {
            action.accept(r);
        } else if (v instanceof List<?> list) {
            list.forEach(item -> forEachOwnedIn(item, action));
        }
    }

    @Override
    public String contentHash() {
        MessageDigest d = sha256();
        update(d, "conditioning:" + entries.size());
        for (Entry e : entries) {
            update(d, "cond:" + e.cond().contentHash());
            for (Map.Entry<String, Object> option : new TreeMap<>(e.options()).entrySet()) {
                update(d, "option:" + option.getKey());
                hashValue(d, option.getValue());
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static void hashValue(MessageDigest d, Object v) {
        if (v instanceof ContentHashable h) {
            update(d, "content:" + h.contentHash());
        } else if (v instanceof List<?> list) {
            update(d, "list:" + list.size());
            list.forEach(item -> hashValue(d, item));
        } else {
            update(d, (v == null ? "null" : v.getClass().getSimpleName()) + ":" + v);
        }
    }

    private static void update(MessageDigest d, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        d.update((byte) (bytes.length >>> 24));
        d.update((byte) (bytes.length >>> 16));
        d.update((byte) (bytes.length >>> 8));
        d.update((byte) bytes.length);
        d.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Conditioning" + entries.stream().map(e -> e.cond().toString() + e.options().keySet()).toList();
    }
}
