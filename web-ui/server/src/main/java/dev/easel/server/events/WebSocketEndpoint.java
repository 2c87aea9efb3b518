package dev.easel.server.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServletFactory;

/**
 * The {@code /ws?clientId=} endpoint: connects sockets to the {@link EventHub}, hands their text messages to
 * {@link ClientMessages}, and sets the socket limits.
 *
 * <p>Limits: inbound messages up to {@link #MAX_INBOUND_BYTES} (clients only send small JSON; a larger frame closes
 * that socket with 1009), an idle timeout of {@link #IDLE_TIMEOUT} and a ping every {@link #PING_SECONDS} s. ComfyUI
 * has no idle timeout, and its clients may be quiet for hours between jobs; the pings keep a live client's connection
 * busy (browsers and most libraries answer them on their own), while a dead or stuck one times out.
 */
public final class WebSocketEndpoint {

    static final long MAX_INBOUND_BYTES = 64 << 10;
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
    static final long PING_SECONDS = 30;

    private static final String CONNECTION = "easel.connection";

    private final EventHub hub;
    private final ClientMessages messages;
    private final IntSupplier queueRemaining;

    public WebSocketEndpoint(EventHub hub, ObjectMapper json, IntSupplier queueRemaining) {
        this.hub = hub;
        this.messages = new ClientMessages(hub, json);
        this.queueRemaining = queueRemaining;
    }

    /** Wires one WebSocket route. */
    public void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            String id = ctx.queryParam("clientId");
            String clientId = id == null || id.isBlank() ? UUID.randomUUID().toString().replace("-", "") : id;
            ctx.attribute(CONNECTION, hub.connect(clientId, ctx.session, queueRemaining.getAsInt()));
            ctx.enableAutomaticPings(PING_SECONDS, TimeUnit.SECONDS);
        });
        ws.onMessage(ctx -> {
            ClientConnection client = ctx.attribute(CONNECTION);
            if (client != null) {
                try {
                    messages.handle(client, ctx.message());
                } catch (RuntimeException e) { // the store failing, say: answer, keep the socket
                    client.sendText(hub.error(null, "the server could not handle this message: " + e.getMessage(),
                            null));
                }
            }
        });
        ws.onClose(this::disconnect);
        ws.onError(this::disconnect);
    }

    private void disconnect(WsContext ctx) {
        ClientConnection client = ctx.attribute(CONNECTION);
        if (client != null) {
            hub.disconnect(client);
        }
    }

    /** The socket limits, for {@code cfg.jetty.modifyWebSocketServletFactory}. */
    public static void limits(JettyWebSocketServletFactory factory) {
        factory.setMaxTextMessageSize(MAX_INBOUND_BYTES);
        factory.setMaxBinaryMessageSize(MAX_INBOUND_BYTES);
        factory.setIdleTimeout(IDLE_TIMEOUT);
    }
}
