package dev.easel.caching.disk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.caching.PersistableFactories;
import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.cache.CachedOutputs;
import dev.easel.node.Persistable;
import dev.easel.node.PersistableFactory;
import dev.easel.node.RefCounted;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * How one cache entry lies in a safetensors file. The tensors are named {@code s<slot>.i<item>} (a tensor value) and
 * {@code s<slot>.i<item>.<part>} (a part of a {@link Persistable}); a tensor that appears twice is stored once. The
 * {@code __metadata__} key {@value #METADATA_KEY} holds a JSON header:
 *
 * <pre>{@code
 * {"format": 1, "key": "<cache key hex>", "class_type": "KSampler", "compute_nanos": 812000000, "hits": 3,
 *  "slot_hashes": ["<hash of slot 0>", ...], "ui": {...},
 *  "slots": [[{"kind": "tensor", "tensor": "s0.i0"},
 *             {"kind": "persistable", "type": "easel.latent", "fields": {}, "parts": {"samples": "s0.i1.samples"}},
 *             {"kind": "long", "value": 7}, {"kind": "double", "value": 0.5}, {"kind": "string", "value": "x"},
 *             {"kind": "boolean", "value": true}], ...],
 *  "crc32c": {"s0.i0": 3735928559, ...}}
 * }</pre>
 *
 * Integrity is checked with a CRC-32C per tensor ({@link TensorChecksum}), which together with the safetensors
 * header's dtype, shape and offsets catches flipped bytes and truncation without slowing reads down much; the key in
 * the header catches a file under the wrong name.
 */
public final class DiskEntryFormat {

    static final int VERSION = 1;
    static final String METADATA_KEY = "easel.cache";

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);
    private static final TypeReference<LinkedHashMap<String, List<Object>>> UI_TYPE = new TypeReference<>() {
    };

    private DiskEntryFormat() {
    }

    /**
     * True when every value can be written: a {@link TensorRef}, a {@link Persistable} whose parts are all
     * {@code TensorRef}s, or a {@code Long}, {@code Double}, {@code String} or {@code Boolean}; and the UI holds only
     * JSON values (maps with string keys, lists, strings, numbers, booleans, null).
     */
    public static boolean canStore(CachedOutputs outputs) {
        for (var slot : outputs.outputs()) {
            for (Object value : slot) {
                if (!storable(value)) {
                    return false;
                }
            }
        }
        return isJson(outputs.ui());
    }

    private static boolean storable(Object value) {
        if (value instanceof TensorRef || value instanceof Long || value instanceof Double
                || value instanceof String || value instanceof Boolean) {
            return true;
        }
        if (value instanceof Persistable persistable) {
            return persistable.persistentType() != null
                    && persistable.parts().values().stream().allMatch(part -> part instanceof TensorRef)
                    && persistable.fields().entrySet().stream()
                    .allMatch(field -> field.getKey() != null && field.getValue() != null);
        }
        return false;
    }

    private static boolean isJson(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Long
                || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return true;
        }
        if (value instanceof Double d) {
            return Double.isFinite(d);
        }
        if (value instanceof Float f) {
            return Float.isFinite(f);
        }
        if (value instanceof List<?> list) {
            return list.stream().allMatch(DiskEntryFormat::isJson);
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().allMatch(e -> e.getKey() instanceof String && isJson(e.getValue()));
        }
        return false;
    }

    /** What to hand the safetensors writer: the values' own tensors (not copies) and the metadata. */
    record Encoded(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    /** Lays out {@code outputs}, which must pass {@link #canStore} and stay alive until the file is written. */
    static Encoded encode(CacheKey key, CachedOutputs outputs, String classType, long computeNanos, long hits) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        ObjectNode crc = JSON.createObjectNode();
        IdentityHashMap<TensorRef, String> named = new IdentityHashMap<>();
        ArrayNode slots = JSON.createArrayNode();
        for (int s = 0; s < outputs.outputs().size(); s++) {
            ArrayNode items = slots.addArray();
            List<Object> slot = outputs.outputs().get(s);
            for (int i = 0; i < slot.size(); i++) {
                Object value = slot.get(i);
                ObjectNode item = items.addObject();
                String name = "s" + s + ".i" + i;
                if (value instanceof TensorRef tensor) {
                    item.put("kind", "tensor").put("tensor", nameOnce(tensor, name, named, tensors, crc));
                } else if (value instanceof Persistable persistable) {
                    item.put("kind", "persistable").put("type", persistable.persistentType());
                    ObjectNode fields = item.putObject("fields");
                    persistable.fields().forEach(fields::put);
                    ObjectNode parts = item.putObject("parts");
                    persistable.parts().forEach((part, tensor) ->
                            parts.put(part, nameOnce((TensorRef) tensor, name + "." + part, named, tensors, crc)));
                } else if (value instanceof Long l) {
                    item.put("kind", "long").put("value", l);
                } else if (value instanceof Double d) {
                    item.put("kind", "double");
                    if (Double.isFinite(d)) {
                        item.put("value", d);
                    } else {
                        item.put("value", d.toString()); // JSON has no NaN or infinities
                    }
                } else if (value instanceof String text) {
                    item.put("kind", "string").put("value", text);
                } else if (value instanceof Boolean b) {
                    item.put("kind", "boolean").put("value", b);
                } else {
                    throw new IllegalArgumentException("cannot store a " + value.getClass().getName() + " on disk");
                }
            }
        }
        ObjectNode header = JSON.createObjectNode();
        header.put("format", VERSION).put("key", key.hex()).put("class_type", classType)
                .put("compute_nanos", computeNanos).put("hits", hits);
        ArrayNode slotHashes = header.putArray("slot_hashes");
        outputs.slotHashes().forEach(slotHashes::add);
        header.set("ui", JSON.valueToTree(outputs.ui()));
        header.set("slots", slots);
        header.set("crc32c", crc);
        try {
            return new Encoded(tensors, Map.of(METADATA_KEY, JSON.writeValueAsString(header)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the header of " + key, e);
        }
    }

    private static String nameOnce(TensorRef tensor, String name, IdentityHashMap<TensorRef, String> named,
                                   Map<String, Tensor> tensors, ObjectNode crc) {
        String existing = named.putIfAbsent(tensor, name);
        if (existing != null) {
            return existing;
        }
        tensors.put(name, tensor.tensor());
        crc.put(name, TensorChecksum.crc32c(tensor));
        return name;
    }

    /**
     * Reads the entry for {@code key}: the header and layout from {@code file}, the tensor bytes from {@code data}
     * (the same file) into fresh tensors, each checked against its checksum, and the values rebuilt. Nothing is left
     * allocated when it throws.
     *
     * @throws CorruptEntryException when the file is not a valid entry for {@code key}
     * @throws IOException when the file cannot be read (it may be fine: a retry may succeed)
     */
    static StoredEntry decode(SafetensorsFile file, FileChannel data, CacheKey key, PersistableFactories factories)
            throws CorruptEntryException, IOException {
        JsonNode header = header(file, key);
        Map<String, TensorRef> loaded = new LinkedHashMap<>();
        List<RefCounted> built = new ArrayList<>();
        boolean done = false;
        try {
            JsonNode crc = header.path("crc32c");
            if (!crc.isObject() || crc.size() != file.names().size()) {
                throw new CorruptEntryException("the tensors and their checksums do not match");
            }
            for (String name : file.names()) {
                JsonNode expected = crc.path(name);
                if (!expected.isIntegralNumber()) {
                    throw new CorruptEntryException("tensor " + name + " has no checksum");
                }
                TensorChecksum.Loaded read = TensorChecksum.read(file.info(name), data);
                loaded.put(name, read.tensor()); // our reference, released below
                if (read.crc32c() != expected.longValue()) {
                    throw new CorruptEntryException("tensor " + name + " does not match its checksum");
                }
            }
            List<List<Object>> slots = new ArrayList<>();
            for (JsonNode items : array(header, "slots")) {
                List<Object> slot = new ArrayList<>();
                for (JsonNode item : items) {
                    Object value = value(item, loaded, factories);
                    if (value instanceof RefCounted rc) {
                        built.add(rc);
                    }
                    slot.add(value);
                }
                slots.add(slot);
            }
            List<String> slotHashes = new ArrayList<>();
            for (JsonNode hash : array(header, "slot_hashes")) {
                slotHashes.add(hash.asText());
            }
            Map<String, List<Object>> ui = JSON.convertValue(header.path("ui"), UI_TYPE);
            StoredEntry entry = new StoredEntry(new CachedOutputs(slots, slotHashes, ui == null ? Map.of() : ui),
                    header.path("class_type").asText(""), header.path("compute_nanos").asLong(0),
                    header.path("hits").asLong(0));
            done = true;
            return entry;
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new CorruptEntryException("cannot rebuild the values: " + e.getMessage(), e);
        } finally {
            loaded.values().forEach(TensorRef::release); // the values took their own references
            if (!done) {
                built.forEach(RefCounted::release);
            }
        }
    }

    private static JsonNode header(SafetensorsFile file, CacheKey key) throws CorruptEntryException {
        String text = file.metadata().get(METADATA_KEY);
        if (text == null) {
            throw new CorruptEntryException("no " + METADATA_KEY + " header");
        }
        JsonNode header;
        try {
            header = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new CorruptEntryException("the header is not JSON", e);
        }
        if (header.path("format").asInt(-1) != VERSION) {
            throw new CorruptEntryException("format " + header.path("format") + ", expected " + VERSION);
        }
        if (!key.hex().equals(header.path("key").asText(null))) {
            throw new CorruptEntryException("the file holds key " + header.path("key") + ", not " + key.hex());
        }
        return header;
    }

    private static Iterable<JsonNode> array(JsonNode header, String field) throws CorruptEntryException {
        JsonNode node = header.path(field);
        if (!node.isArray()) {
            throw new CorruptEntryException("\"" + field + "\" is not an array");
        }
        return node;
    }

    /** One value with one reference owned by the caller. */
    private static Object value(JsonNode item, Map<String, TensorRef> loaded, PersistableFactories factories)
            throws CorruptEntryException {
        String kind = item.path("kind").asText("");
        JsonNode value = item.path("value");
        switch (kind) {
            case "tensor" -> {
                TensorRef tensor = tensor(loaded, item.path("tensor").asText(""));
                tensor.retain();
                return tensor;
            }
            case "persistable" -> {
                String type = item.path("type").asText("");
                PersistableFactory factory = factories.forType(type).orElseThrow(() ->
                        new CorruptEntryException("no PersistableFactory for type " + type));
                Map<String, Object> parts = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = item.path("parts").fields(); it.hasNext(); ) {
                    var part = it.next();
                    parts.put(part.getKey(), tensor(loaded, part.getValue().asText("")));
                }
                Map<String, String> fields = new LinkedHashMap<>();
                item.path("fields").fields().forEachRemaining(f -> fields.put(f.getKey(), f.getValue().asText()));
                return factory.restore(parts, fields); // takes its own references on the parts
            }
            case "long" -> {
                if (!value.isIntegralNumber()) {
                    throw new CorruptEntryException("bad long " + value);
                }
                return value.longValue();
            }
            case "double" -> {
                if (value.isNumber()) {
                    return value.doubleValue();
                }
                try {
                    return Double.parseDouble(value.asText());
                } catch (NumberFormatException e) {
                    throw new CorruptEntryException("bad double " + value, e);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    throw new CorruptEntryException("bad string " + value);
                }
                return value.asText();
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    throw new CorruptEntryException("bad boolean " + value);
                }
                return value.booleanValue();
            }
            default -> throw new CorruptEntryException("unknown value kind \"" + kind + "\"");
        }
    }

    private static TensorRef tensor(Map<String, TensorRef> loaded, String name) throws CorruptEntryException {
        TensorRef tensor = loaded.get(name);
        if (tensor == null) {
            throw new CorruptEntryException("no tensor named " + name);
        }
        return tensor;
    }
}
