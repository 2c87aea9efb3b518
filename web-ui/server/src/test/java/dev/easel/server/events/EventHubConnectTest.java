package dev.easel.server.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.server.store.SqliteJobStore;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first {@code status} reaches a new socket only once the socket is registered under its client id: a client
 * queues its job as soon as it has that message, and the job's first events must find it (a CI run once lost them).
 */
class EventHubConnectTest {

    @TempDir
    Path dir;

    @Test
    void theWelcomeGoesOutOnlyOnceTheClientIsRegistered() {
        try (SqliteJobStore store = SqliteJobStore.open(dir.resolve("jobs.db"))) {
            EventHub hub = new EventHub(new ObjectMapper(), store, Map.of());
            List<String> sent = new ArrayList<>();
            List<Integer> registeredWhenSent = new ArrayList<>();
            Session session = (Session) Proxy.newProxyInstance(Session.class.getClassLoader(),
                    new Class<?>[] {Session.class}, (proxy, method, args) -> {
                        if (method.getName().equals("sendText")) {
                            sent.add((String) args[0]);
                            registeredWhenSent.add(hub.clientCount());
                            ((Callback) args[1]).succeed();
                        }
                        return method.getReturnType() == boolean.class ? Boolean.FALSE : null;
                    });
            hub.connect("c1", session, 0);
            assertEquals(1, sent.size());
            assertEquals(true, sent.get(0).contains("\"sid\":\"c1\""), sent.get(0));
            assertEquals(List.of(1), registeredWhenSent, "registered before the welcome was written");
        }
    }
}
