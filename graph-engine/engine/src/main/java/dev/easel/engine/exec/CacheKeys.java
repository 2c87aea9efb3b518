package dev.easel.engine.exec;

import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.registry.RegisteredNode;
import dev.easel.node.ContentHashable;
import dev.easel.node.HiddenInput;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Computes a node's cache key as a Merkle hash (api-contract §12, "caching design notes"): SHA-256 over the node
 * class, its version and its pack, the literal inputs sorted by name and tagged by type (so 1, 1.0 and true differ),
 * the fingerprint, the node id only for nodes that ask for it, and for each link the content hash of the upstream
 * output slot. Using the upstream <em>output</em> hash rather than the upstream key gives early cutoff: a recomputed
 * node with the same result leaves its descendants' keys unchanged.
 */
final class CacheKeys {

    private static final byte[] VERSION = "easel-key-v1".getBytes(StandardCharsets.UTF_8);

    private CacheKeys() {
    }

    /**
     * @param linkHashes for each linked input, the hash of the upstream slot's content (or a marker for a lazy input
     *                   that was not evaluated)
     */
    static CacheKey of(RegisteredNode type, String nodeId, Map<String, Object> literals,
                       Map<String, String> linkHashes, Object fingerprint) {
        MessageDigest d = sha256();
        d.update(VERSION);
        field(d, "class", type.name());
        field(d, "version", type.schema().version());
        field(d, "pack", type.packId());
        for (Map.Entry<String, Object> e : new TreeMap<>(literals).entrySet()) {
            field(d, "in", e.getKey());
            value(d, e.getValue());
        }
        for (Map.Entry<String, String> e : new TreeMap<>(linkHashes).entrySet()) {
            field(d, "link", e.getKey());
            field(d, "content", e.getValue());
        }
        if (fingerprint != null) {
            field(d, "fingerprint", "");
            value(d, fingerprint);
        }
        if (type.schema().notIdempotent() || type.schema().hiddenInputs().containsValue(HiddenInput.UNIQUE_ID)) {
            field(d, "node_id", nodeId);
        }
        return new CacheKey(hex(d.digest()));
    }

    /** A key no other run will produce, for volatile nodes (never looked up, and it makes descendants unique). */
    static CacheKey volatileKey(String runNonce, String nodeId) {
        MessageDigest d = sha256();
        field(d, "volatile", runNonce);
        field(d, "node", nodeId);
        return new CacheKey(hex(d.digest()));
    }

    private static void field(MessageDigest d, String tag, String text) {
        d.update(tag.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        d.update(Integer.toString(bytes.length).getBytes(StandardCharsets.UTF_8));
        d.update((byte) ':');
        d.update(bytes);
    }

    /**
     * The content hash of one output slot: each item by its {@link ContentHashable} hash or its canonical literal
     * form; items that are neither are named by the producing node's key, slot and position (no early cutoff).
     */
    static String slotHash(CacheKey producer, int slot, java.util.List<Object> items) {
        MessageDigest d = sha256();
        field(d, "slot", Integer.toString(items.size()));
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            if (item instanceof ContentHashable hashable) {
                field(d, "content", hashable.contentHash());
            } else if (isLiteral(item)) {
                value(d, item);
            } else {
                field(d, "made-by", producer.hex() + "/" + slot + "/" + i);
            }
        }
        return hex(d.digest());
    }

    private static boolean isLiteral(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Number) {
            return true;
        }
        if (v instanceof java.util.List<?> list) {
            return list.stream().allMatch(CacheKeys::isLiteral);
        }
        if (v instanceof Map<?, ?> map) {
            return map.values().stream().allMatch(CacheKeys::isLiteral);
        }
        return false;
    }

    /** A canonical, type-tagged encoding of a literal (maps by sorted key, so key order never matters). */
    private static void value(MessageDigest d, Object v) {
        if (v == null) {
            field(d, "null", "");
        } else if (v instanceof String s) {
            field(d, "s", s);
        } else if (v instanceof Boolean b) {
            field(d, "b", b.toString());
        } else if (v instanceof Long || v instanceof Integer || v instanceof BigInteger) {
            field(d, "i", v.toString());
        } else if (v instanceof Double || v instanceof Float) {
            field(d, "f", Double.toString(((Number) v).doubleValue()));
        } else if (v instanceof List<?> list) {
            field(d, "list", Integer.toString(list.size()));
            list.forEach(item -> value(d, item));
        } else if (v instanceof Map<?, ?> map) {
            TreeMap<String, Object> sorted = new TreeMap<>();
            map.forEach((k, val) -> sorted.put(String.valueOf(k), val));
            field(d, "map", Integer.toString(sorted.size()));
            sorted.forEach((k, val) -> {
                field(d, "k", k);
                value(d, val);
            });
        } else if (v instanceof Enum<?> e) {
            field(d, "enum", e.getDeclaringClass().getName() + "." + e.name());
        } else {
            field(d, "obj", v.getClass().getName() + ":" + v);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        final char[] digits = "0123456789abcdef".toCharArray();
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = digits[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = digits[bytes[i] & 0xF];
        }
        return new String(out);
    }
}
