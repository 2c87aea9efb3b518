package dev.easel.server.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** A 400 body in ComfyUI's shape: {@code {"error": {type, message, details, extra_info}, "node_errors": {}}}. */
final class ApiError {

    private ApiError() {
    }

    static Map<String, Object> of(String type, String message, String details) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("type", type);
        error.put("message", message);
        error.put("details", details);
        error.put("extra_info", Map.of());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("node_errors", Map.of());
        return body;
    }
}
