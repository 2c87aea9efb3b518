package dev.easel.server.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.node.Preview;
import io.javalin.websocket.WsContext;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The WebSocket clients and what they are sent (api-contract §3): {@code status} to everyone, a job's execution
 * events to the client that queued it (or, for a job without a client, the events ComfyUI broadcasts), previews as
 * binary frames (4-byte type 1 = PREVIEW_IMAGE, 4-byte format, image bytes). A client id connected twice keeps only
 * the newer socket. A failing socket is dropped; it never stops a job.
 */
public final class EventHub {

    /** Binary frame type of a preview image ({@code protocol.py} PREVIEW_IMAGE). */
    static final int PREVIEW_IMAGE = 1;

    private final ObjectMapper json;
    private final Map<String, WsContext> clients = new ConcurrentHashMap<>();

    public EventHub(ObjectMapper json) {
        this.json = json;
    }

    /** Registers a connected socket under {@code clientId}, replacing an older one with the same id. */
    public void connect(String clientId, WsContext socket) {
        WsContext old = clients.put(clientId, socket);
        if (old != null && old != socket) {
            try {
                old.closeSession();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
    }

    /** Forgets {@code socket} (only if it is still the one registered under {@code clientId}). */
    public void disconnect(String clientId, WsContext socket) {
        clients.remove(clientId, socket);
    }

    public int clientCount() {
        return clients.size();
    }

    /** The first message of a connection: queue status plus the client's id ({@code sid}). */
    public void sendWelcome(String clientId, WsContext socket, int queueRemaining) {
        Map<String, Object> data = statusData(queueRemaining);
        data.put("sid", clientId);
        sendText(clientId, socket, message("status", data));
    }

    /** {@code status} to every client (after every queue change). */
    public void broadcastStatus(int queueRemaining) {
        String text = message("status", statusData(queueRemaining));
        clients.forEach((id, socket) -> sendText(id, socket, text));
    }

    /** An event to one client, or to all when {@code clientId} is null. */
    public void send(String clientId, String type, Map<String, Object> data) {
        String text = message(type, data);
        if (clientId == null) {
            clients.forEach((id, socket) -> sendText(id, socket, text));
        } else {
            WsContext socket = clients.get(clientId);
            if (socket != null) {
                sendText(clientId, socket, text);
            }
        }
    }

    /** A preview frame to one client, or to all when {@code clientId} is null. */
    public void sendPreview(String clientId, Preview preview) {
        byte[] image = preview.bytes();
        ByteBuffer frame = ByteBuffer.allocate(8 + image.length);
        frame.putInt(PREVIEW_IMAGE).putInt(preview.format().wireId()).put(image).flip();
        if (clientId == null) {
            clients.forEach((id, socket) -> sendBinary(id, socket, frame.duplicate()));
        } else {
            WsContext socket = clients.get(clientId);
            if (socket != null) {
                sendBinary(clientId, socket, frame);
            }
        }
    }

    private static Map<String, Object> statusData(int queueRemaining) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", Map.of("exec_info", Map.of("queue_remaining", queueRemaining)));
        return data;
    }

    private String message(String type, Map<String, Object> data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("data", data);
        try {
            return json.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a " + type + " event", e);
        }
    }

    private void sendText(String clientId, WsContext socket, String text) {
        try {
            socket.send(text);
        } catch (RuntimeException e) {
            disconnect(clientId, socket);
        }
    }

    private void sendBinary(String clientId, WsContext socket, ByteBuffer frame) {
        try {
            socket.send(frame);
        } catch (RuntimeException e) {
            disconnect(clientId, socket);
        }
    }
}
