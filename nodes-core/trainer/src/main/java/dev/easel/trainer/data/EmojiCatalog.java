package dev.easel.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The training images listed in an emoji-datasource {@code emoji.json}: every emoji and skin-tone variation that
 * has an image in the set and is not obsolete (an {@code obsoleted_by} emoji is a duplicate of a newer one), with its
 * caption. Order is deterministic: by the emoji's {@code sort_order}, each emoji's default look before its skin-tone
 * variations, which follow in code-point order.
 */
public final class EmojiCatalog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EmojiCatalog() {
    }

    /** The entries of every set installed under {@code dataDir} (by {@link EmojiFetch}), Google's first. */
    public static List<EmojiEntry> load(Path dataDir) throws IOException {
        List<EmojiEntry> entries = new ArrayList<>();
        for (EmojiSet set : EmojiSet.values()) {
            entries.addAll(read(EmojiFetch.packageFolder(dataDir, set).resolve("emoji.json"), set));
        }
        return entries;
    }

    /**
     * The entries of {@code set} listed in {@code emojiJson}.
     *
     * @throws IOException when the file cannot be read or is not an array of emoji objects (naming the file)
     */
    public static List<EmojiEntry> read(Path emojiJson, EmojiSet set) throws IOException {
        JsonNode root = JSON.readTree(emojiJson.toFile());
        if (root == null || !root.isArray()) {
            throw new IOException(emojiJson + ": expected a JSON array of emoji");
        }
        List<JsonNode> emoji = new ArrayList<>();
        root.forEach(emoji::add);
        // A stable sort keeps the file's order among equal sort_orders.
        emoji.sort(Comparator.comparingInt(e -> e.path("sort_order").asInt(Integer.MAX_VALUE)));
        List<EmojiEntry> entries = new ArrayList<>();
        for (JsonNode e : emoji) {
            if (isObsolete(e)) {
                continue;
            }
            String name = name(e, emojiJson);
            String category = e.path("category").asText("");
            if (hasImage(e, set)) {
                entries.add(new EmojiEntry(set, e.get("image").asText(), name, "", category));
            }
            for (Map.Entry<String, JsonNode> variation : skinVariations(e).entrySet()) {
                JsonNode v = variation.getValue();
                if (!isObsolete(v) && hasImage(v, set)) {
                    entries.add(new EmojiEntry(set, v.get("image").asText(), name,
                            SkinTones.describe(variation.getKey()), category));
                }
            }
        }
        return entries;
    }

    /** {@code name} in lower case; {@code short_name} with spaces for underscores when the name is missing. */
    private static String name(JsonNode e, Path source) throws IOException {
        String name = text(e.get("name"));
        if (name == null) {
            String shortName = text(e.get("short_name"));
            if (shortName == null) {
                throw new IOException(source + ": an emoji has neither name nor short_name: " + e);
            }
            name = shortName.replace('_', ' ');
        }
        return name.toLowerCase(Locale.ROOT);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.asText().isBlank() ? null : node.asText().strip();
    }

    private static boolean isObsolete(JsonNode e) {
        return text(e.get("obsoleted_by")) != null;
    }

    private static boolean hasImage(JsonNode e, EmojiSet set) {
        return e.path(set.hasImageField()).asBoolean(false) && text(e.get("image")) != null;
    }

    /** The variations sorted by key, so their order does not depend on how the file lists them. */
    private static Map<String, JsonNode> skinVariations(JsonNode e) {
        Map<String, JsonNode> variations = new TreeMap<>();
        JsonNode node = e.get("skin_variations");
        if (node != null && node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                variations.put(field.getKey(), field.getValue());
            }
        }
        return variations;
    }
}
