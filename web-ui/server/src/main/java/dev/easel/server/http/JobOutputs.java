package dev.easel.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What {@code /api/jobs} tells about a job's outputs (ComfyUI's {@code comfy_execution/jobs.py}): how many output
 * items there are, how many the frontend can preview, the one it previews, and the outputs with 3D file names turned
 * into file items. {@code outputs} is a history entry's {@code {node_id: {media_type: [items]}}}.
 */
final class JobOutputs {

    private static final Set<String> PREVIEWABLE_MEDIA = Set.of("images", "video", "audio", "3d", "text");
    private static final Set<String> THREE_D = Set.of(".obj", ".fbx", ".gltf", ".glb", ".usdz");
    private static final Set<String> TEXT_FILES = Set.of(".txt", ".md", ".json");
    /** Text previews are cut here so that a long text does not bloat every list entry. */
    private static final int TEXT_PREVIEW_MAX = 1024;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JobOutputs() {
    }

    /**
     * @param count            every output item (text content strings are not items)
     * @param previewableCount the items the frontend can show
     * @param preview          the item it shows first, with {@code nodeId} and {@code mediaType}; null for none
     */
    record Summary(int count, int previewableCount, ObjectNode preview) {
    }

    /** The summary of {@code outputs} (null or not an object: nothing). */
    static Summary summarize(JsonNode outputs) {
        int count = 0;
        int previewable = 0;
        ObjectNode preview = null;
        ObjectNode fallback = null;
        ObjectNode textFile = null;
        ObjectNode text = null;
        if (outputs == null || !outputs.isObject()) {
            return new Summary(0, 0, null);
        }
        for (Iterator<Map.Entry<String, JsonNode>> nodes = outputs.fields(); nodes.hasNext();) {
            Map.Entry<String, JsonNode> node = nodes.next();
            if (!node.getValue().isObject()) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> media = node.getValue().fields(); media.hasNext();) {
                Map.Entry<String, JsonNode> kind = media.next();
                String mediaType = kind.getKey();
                if (mediaType.equals("animated") || !kind.getValue().isArray()) {
                    continue;
                }
                for (JsonNode raw : kind.getValue()) {
                    JsonNode item = raw;
                    if (!item.isObject()) {
                        ObjectNode file = threeDFile(item);
                        if (file == null) {
                            if (mediaType.equals("text") && preview == null && text == null && !raw.isNull()) {
                                text = textPreview(raw, node.getKey());
                            }
                            continue;
                        }
                        item = file;
                    }
                    count++;
                    boolean canPreview = isPreviewable(mediaType, item);
                    if (canPreview) {
                        previewable++;
                    }
                    if (preview != null || !canPreview) {
                        continue;
                    }
                    ObjectNode enriched = ((ObjectNode) item).deepCopy();
                    enriched.put("nodeId", node.getKey());
                    if (!item.has("mediaType")) {
                        enriched.put("mediaType", mediaType);
                    }
                    if (isTextFile(mediaType, item)) {
                        if (textFile == null) {
                            textFile = enriched;
                        }
                    } else if ("output".equals(item.path("type").asText(null))) {
                        preview = enriched;
                    } else if (fallback == null) {
                        fallback = enriched;
                    }
                }
            }
        }
        ObjectNode chosen = preview != null ? preview : fallback != null ? fallback : textFile != null ? textFile : text;
        return new Summary(count, previewable, chosen);
    }

    /** {@code outputs} with 3D file names (plain strings) as file items and null items dropped. */
    static JsonNode normalize(JsonNode outputs) {
        if (outputs == null || !outputs.isObject()) {
            return outputs == null ? NODES.objectNode() : outputs;
        }
        ObjectNode normalized = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> nodes = outputs.fields(); nodes.hasNext();) {
            Map.Entry<String, JsonNode> node = nodes.next();
            if (!node.getValue().isObject()) {
                normalized.set(node.getKey(), node.getValue());
                continue;
            }
            ObjectNode out = normalized.putObject(node.getKey());
            for (Iterator<Map.Entry<String, JsonNode>> media = node.getValue().fields(); media.hasNext();) {
                Map.Entry<String, JsonNode> kind = media.next();
                if (kind.getKey().equals("animated") || !kind.getValue().isArray()) {
                    out.set(kind.getKey(), kind.getValue());
                    continue;
                }
                ArrayNode items = out.putArray(kind.getKey());
                for (JsonNode item : kind.getValue()) {
                    if (item.isNull()) {
                        continue;
                    }
                    ObjectNode file = item.isObject() ? null : threeDFile(item);
                    items.add(file != null ? file : item);
                }
            }
        }
        return normalized;
    }

    /** A plain string naming a 3D file, as the file item the frontend expects; else null. */
    private static ObjectNode threeDFile(JsonNode item) {
        if (!item.isTextual() || !hasExtension(item.asText(), THREE_D)) {
            return null;
        }
        ObjectNode file = NODES.objectNode();
        file.put("filename", item.asText());
        file.put("type", "output");
        file.put("subfolder", "");
        file.put("mediaType", "3d");
        return file;
    }

    private static boolean isPreviewable(String mediaType, JsonNode item) {
        if (PREVIEWABLE_MEDIA.contains(mediaType)) {
            return true;
        }
        String format = item.path("format").asText("");
        if (format.startsWith("video/") || format.startsWith("audio/")) {
            return true;
        }
        String name = item.path("filename").asText("");
        return hasExtension(name, THREE_D) || hasExtension(name, TEXT_FILES);
    }

    private static boolean isTextFile(String mediaType, JsonNode item) {
        return mediaType.equals("text") || hasExtension(item.path("filename").asText(""), TEXT_FILES);
    }

    private static ObjectNode textPreview(JsonNode raw, String nodeId) {
        String value = raw.isArray() ? (raw.isEmpty() ? "" : raw.get(0).asText()) : raw.asText();
        ObjectNode preview = NODES.objectNode();
        if (value.length() <= TEXT_PREVIEW_MAX) {
            preview.put("content", value);
        } else {
            preview.put("content", value.substring(0, TEXT_PREVIEW_MAX));
            preview.put("truncated", true);
        }
        preview.put("nodeId", nodeId);
        preview.put("mediaType", "text");
        return preview;
    }

    private static boolean hasExtension(String name, Set<String> extensions) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String extension : extensions) {
            if (lower.endsWith(extension)) {
                return true;
            }
        }
        return false;
    }
}
