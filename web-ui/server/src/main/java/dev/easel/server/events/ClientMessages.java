package dev.easel.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a WebSocket client may send (all as {@code {"type", "data"}} text frames):
 * <ul>
 *   <li>{@code feature_flags} (ComfyUI, api-contract §3.1): stored; answered with the server's flags. Accepted at any
 *       time, not only as the first message.</li>
 *   <li>{@code subscribe {prompt_id, from?}}: the job's events from sequence number {@code from} (default 0) that
 *       this socket was not sent yet, then its live events, for any job, queued, running or finished.</li>
 *   <li>{@code unsubscribe {prompt_id}}.</li>
 * </ul>
 * Anything else gets an {@code error} message back; the socket stays open.
 */
final class ClientMessages {

    private final EventHub hub;
    private final ObjectMapper json;

    ClientMessages(EventHub hub, ObjectMapper json) {
        this.hub = hub;
        this.json = json;
    }

    void handle(ClientConnection client, String text) {
        JsonNode message;
        try {
            message = json.readTree(text);
        } catch (Exception e) {
            client.sendText(hub.error(null, "not JSON: " + e.getClass().getSimpleName(), null));
            return;
        }
        if (message == null || !message.isObject() || !message.path("type").isTextual()) {
            client.sendText(hub.error(null, "expected {\"type\": ..., \"data\": {...}}", null));
            return;
        }
        String type = message.get("type").asText();
        JsonNode data = message.path("data");
        switch (type) {
            case "feature_flags" -> hub.featureFlags(client, data.isObject() ? data : json.createObjectNode());
            case "subscribe" -> {
                String promptId = promptId(data);
                JsonNode from = data.path("from");
                if (promptId == null) {
                    client.sendText(hub.error(type, "data.prompt_id must be a non-empty string", null));
                } else if (!from.isMissingNode() && !from.isNull()
                        && !(from.canConvertToExactIntegral() && from.canConvertToLong() && from.asLong() >= 0)) {
                    client.sendText(hub.error(type, "data.from must be an integer >= 0", promptId));
                } else {
                    hub.subscribe(client, promptId, from.isMissingNode() || from.isNull() ? 0 : from.asLong());
                }
            }
            case "unsubscribe" -> {
                String promptId = promptId(data);
                if (promptId == null) {
                    client.sendText(hub.error(type, "data.prompt_id must be a non-empty string", null));
                } else {
                    hub.unsubscribe(client, promptId);
                }
            }
            default -> client.sendText(hub.error(type, "unknown message type", null));
        }
    }

    private static String promptId(JsonNode data) {
        JsonNode id = data.path("prompt_id");
        return id.isTextual() && !id.asText().isBlank() && id.asText().length() <= 256 ? id.asText() : null;
    }
}
