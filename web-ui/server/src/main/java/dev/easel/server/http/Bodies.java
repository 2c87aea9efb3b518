package dev.easel.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.server.ServerJson;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Request bodies: parsed from their bytes (so invalid UTF-8 is an error, not a replacement character) by
 * {@link ServerJson#strictReader} (no trailing data, no duplicate keys, bounded nesting),
 * with typed field checks. Anything wrong is a clear 400 in ComfyUI's error shape naming the problem, never a 500.
 * Every method returns null after it has answered 400.
 */
final class Bodies {

    private Bodies() {
    }

    /** The body as any JSON value, or null after answering 400. */
    static JsonNode parse(Context ctx, ObjectMapper json) {
        byte[] bytes;
        try {
            bytes = ctx.bodyAsBytes();
        } catch (RuntimeException e) {
            throw e; // 413 from Javalin's size limit, rendered by the server's exception handler
        } catch (Exception e) { // Jetty's EofException (the client stopped sending) is thrown without a declaration
            if (!(e instanceof IOException)) {
                throw new IllegalStateException(e);
            }
            ctx.status(400).json(ApiError.of("invalid_body", "The request body could not be read",
                    String.valueOf(e.getMessage())));
            return null;
        }
        if (bytes.length == 0) {
            ctx.status(400).json(ApiError.of("invalid_json", "The request body is empty",
                    "expected a JSON object"));
            return null;
        }
        try {
            JsonNode body = ServerJson.strictReader(json).readTree(bytes);
            if (body == null || body.isMissingNode()) {
                ctx.status(400).json(ApiError.of("invalid_json", "The request body is empty",
                        "expected a JSON object"));
                return null;
            }
            return body;
        } catch (JsonProcessingException e) {
            ctx.status(400).json(ApiError.of("invalid_json", "The request body is not valid JSON",
                    describe(e)));
            return null;
        } catch (IOException e) {
            ctx.status(400).json(ApiError.of("invalid_json", "The request body is not valid JSON", e.getMessage()));
            return null;
        }
    }

    /** The body as a JSON object, or null after answering 400. */
    static JsonNode object(Context ctx, ObjectMapper json) {
        JsonNode body = parse(ctx, json);
        if (body == null) {
            return null;
        }
        if (!body.isObject()) {
            ctx.status(400).json(ApiError.of("invalid_body", "The request body must be a JSON object",
                    "got " + kind(body)));
            return null;
        }
        return body;
    }

    /** A JSON object with no fields but {@code allowed} (a misspelt field must not silently do nothing). */
    static JsonNode object(Context ctx, ObjectMapper json, Set<String> allowed) {
        JsonNode body = object(ctx, json);
        if (body == null) {
            return null;
        }
        Set<String> unknown = new TreeSet<>();
        body.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            ctx.status(400).json(ApiError.of("invalid_body", "Unknown field" + (unknown.size() > 1 ? "s" : "")
                    + " in the request body", "unknown " + unknown + "; this route takes " + new TreeSet<>(allowed)));
            return null;
        }
        return body;
    }

    /** {@code {"clear": bool, "delete": [id...]}} of POST /queue and POST /history, or null after answering 400. */
    record ClearOrDelete(boolean clear, List<String> delete) {
    }

    static ClearOrDelete clearOrDelete(Context ctx, ObjectMapper json) {
        JsonNode body = object(ctx, json, Set.of("clear", "delete"));
        if (body == null) {
            return null;
        }
        JsonNode clear = body.get("clear");
        if (clear != null && !clear.isNull() && !clear.isBoolean()) {
            return invalid(ctx, "clear", "true or false", clear);
        }
        List<String> delete = idList(ctx, body, "delete");
        if (delete == null) {
            return null;
        }
        return new ClearOrDelete(clear != null && clear.asBoolean(), delete);
    }

    /**
     * The list of ids in {@code field} (absent or null: empty), each a string or a number (as text), or null after
     * answering 400.
     */
    static List<String> idList(Context ctx, JsonNode body, String field) {
        JsonNode value = body.get(field);
        List<String> ids = new ArrayList<>();
        if (value == null || value.isNull()) {
            return ids;
        }
        if (!value.isArray()) {
            return invalid(ctx, field, "a list of ids", value);
        }
        for (JsonNode id : value) {
            String text = id(id);
            if (text == null) {
                return invalid(ctx, field, "a list of ids (strings)", id);
            }
            ids.add(text);
        }
        return ids;
    }

    /** A string or a number as its text (Python's {@code str()} of what ComfyUI clients send), else null. */
    static String id(JsonNode value) {
        if (value != null && (value.isTextual() || value.isNumber())) {
            return value.asText();
        }
        return null;
    }

    /** Answers 400 for a field of the wrong type; returns null for the caller to return. */
    static <T> T invalid(Context ctx, String field, String expected, JsonNode got) {
        ctx.status(400).json(ApiError.of("invalid_field", "Invalid value for " + field,
                field + " must be " + expected + ", got " + kind(got)));
        return null;
    }

    static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        String type = node.getNodeType().toString().toLowerCase();
        String text = node.toString();
        return type + (text.length() <= 40 ? " " + text : "");
    }

    /** Jackson's message without its source excerpt, plus where: "Unexpected character ... at line 1, column 9". */
    private static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        JsonLocation where = e.getLocation();
        if (where != null && where.getLineNr() > 0) {
            message += " (at line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
        }
        return message;
    }
}
