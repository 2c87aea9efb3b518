package dev.easel.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;

/** Request bodies that must be JSON objects: anything else is a clear 400, never a 500. */
final class Bodies {

    private Bodies() {
    }

    /** The body as a JSON object, or null after answering 400. */
    static JsonNode object(Context ctx, ObjectMapper json) {
        try {
            JsonNode body = json.readTree(ctx.body());
            if (body != null && body.isObject()) {
                return body;
            }
            ctx.status(400).json(ApiError.of("invalid_body", "The request body must be a JSON object",
                    "got " + (body == null ? "nothing" : body.getNodeType().toString().toLowerCase())));
        } catch (JsonProcessingException e) {
            ctx.status(400).json(ApiError.of("invalid_json", "The request body is not valid JSON",
                    e.getOriginalMessage()));
        }
        return null;
    }
}
