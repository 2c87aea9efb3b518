package dev.easel.server.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.node.Preview;
import dev.easel.server.store.JobStore;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * Routes events to the WebSocket clients (api-contract §3) through the jobs' event logs. The default stream is
 * ComfyUI's: {@code status} to everyone; a job's events to the client that queued it, or, for a job without a client,
 * only the events ComfyUI broadcasts; previews as binary frames after their {@code progress}. Job events also carry a
 * top-level {@code seq} (their number in the job's log). A socket that subscribed to a job gets all of that job's
 * events (replayed from an offset, then live) through the subscription instead. A client id connected twice keeps
 * only the newer socket. Sending never blocks the caller (see {@link ClientConnection}).
 *
 * <p>Lock order: {@link EventLogs}, then one {@link JobEventLog}, then a connection's queue; a log is never locked
 * while calling into {@link EventLogs}.
 */
public final class EventHub implements AutoCloseable {

    /** Events ComfyUI still broadcasts for a job that has no client id (api-contract §3.2). */
    private static final Set<String> BROADCAST_WITHOUT_CLIENT = Set.of("execution_interrupted", "progress",
            "progress_state");

    private final ObjectMapper json;
    private final EventLogs logs;
    private final Map<String, Object> serverFeatures;
    private final Map<String, ClientConnection> clients = new ConcurrentHashMap<>();
    private final JobEventStream streams;

    /**
     * @param store          where finished jobs' durable messages are read when their log is no longer in memory
     * @param serverFeatures the server's answer to a client's {@code feature_flags} (as {@code /features})
     */
    public EventHub(ObjectMapper json, JobStore store, Map<String, Object> serverFeatures) {
        this.json = json;
        this.logs = new EventLogs(store, json);
        this.serverFeatures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(serverFeatures));
        this.streams = new JobEventStream(this);
    }

    /** The {@code GET /api/jobs/{prompt_id}/events} handler (Server-Sent Events). */
    public JobEventStream eventStream() {
        return streams;
    }

    // --- connections ---

    /**
     * Registers a new socket for {@code clientId} (closing an older one with that id) and sends it the first
     * {@code status} (with {@code sid}) and, when this client's job is running, that job's current {@code executing}.
     */
    public ClientConnection connect(String clientId, Session session, int queueRemaining) {
        ClientConnection client = new ClientConnection(clientId, session);
        Map<String, Object> data = statusData(queueRemaining);
        data.put("sid", clientId);
        // The welcome is queued first but goes out only once the client is registered: a client that queues a job
        // as soon as it has the welcome must not lose that job's first events to a socket not yet registered.
        client.queueText(message("status", data));
        JobEventLog running = logs.running();
        if (running != null && clientId.equals(running.clientId())) {
            synchronized (running) { // no event of the job can slip between registering and the current node
                register(client);
                LoggedEvent now = running.currentExecuting();
                if (now != null) {
                    client.deliver(running, now, null);
                }
            }
        } else {
            register(client);
        }
        client.flush();
        return client;
    }

    private void register(ClientConnection client) {
        ClientConnection old = clients.put(client.clientId(), client);
        if (old != null && old != client) {
            old.close(StatusCode.NORMAL, "replaced by a newer connection with this client id");
            forget(old);
        }
    }

    /** Forgets a closed socket (only if it is still the one registered under its client id). */
    public void disconnect(ClientConnection client) {
        clients.remove(client.clientId(), client);
        client.close(StatusCode.NORMAL, "closed");
        forget(client);
    }

    private static void forget(ClientConnection client) {
        for (JobEventLog log : client.subscriptions()) {
            log.subscribers.remove(client); // copy-on-write: no log lock needed, so no lock order to respect
            client.ended(log);
        }
    }

    public int clientCount() {
        return clients.size();
    }

    /** {@code status} to every client (after every queue change). */
    public void broadcastStatus(int queueRemaining) {
        String text = message("status", statusData(queueRemaining));
        clients.values().forEach(c -> c.sendText(text));
    }

    /** A message that belongs to no job (not logged, no {@code seq}) to one client, or to all when null. */
    public void send(String clientId, String type, Map<String, Object> data) {
        String text = message(type, data);
        if (clientId == null) {
            clients.values().forEach(c -> c.sendText(text));
        } else {
            ClientConnection c = clients.get(clientId);
            if (c != null) {
                c.sendText(text);
            }
        }
    }

    // --- jobs ---

    /** Opens the log of a job that starts now; its events then go through {@link #publish}. */
    public JobEventLog startJob(String promptId, String clientId) {
        return logs.start(promptId, clientId);
    }

    /**
     * Logs one event of a running job and sends it to its subscribers and on the default stream. The final
     * {@code executing} (node null) ends the log. Never blocks on a client.
     *
     * @param preview a preview image that came with a {@code progress} event, or null
     */
    public void publish(JobEventLog log, String type, Map<String, Object> data, Preview preview) {
        String dataJson = toJson(data);
        Object node = data.get("node");
        String nodeId = (type.equals("executing") || type.equals("progress")) && node != null ? node.toString()
                : null;
        boolean broadcastWithoutClient = BROADCAST_WITHOUT_CLIENT.contains(type)
                || (type.equals("execution_error") && "ExecutionBlocked".equals(data.get("exception_type")));
        ByteBuffer frame = preview == null ? null : PreviewFrames.of(preview);
        LoggedEvent event;
        synchronized (log) {
            event = log.append(type, dataJson, nodeId, preview);
            for (EventSubscriber s : log.subscribers) {
                s.deliver(log, event, frame);
            }
            if (log.clientId() != null) {
                ClientConnection owner = clients.get(log.clientId());
                if (owner != null && !log.subscribers.contains(owner)) {
                    owner.deliver(log, event, frame);
                }
            } else if (broadcastWithoutClient) {
                for (ClientConnection c : clients.values()) {
                    if (!log.subscribers.contains(c)) {
                        c.deliver(log, event, frame);
                    }
                }
            }
            if (event.isFinal()) {
                log.subscribers.forEach(s -> s.ended(log));
                log.subscribers.clear();
            }
        }
        if (event.isFinal()) {
            logs.trim();
        }
    }

    // --- subscriptions ---

    /** The log of a job (running, queued, recently finished, or rebuilt from history); empty when unknown. */
    Optional<JobEventLog> find(String promptId) {
        return logs.find(promptId);
    }

    /**
     * Sends {@code subscriber} the log's events from {@code from} on, then attaches it for the live ones (or tells it
     * the log has ended). Atomic with respect to {@link #publish}: nothing is missed or sent twice.
     */
    void follow(JobEventLog log, long from, EventSubscriber subscriber) {
        synchronized (log) {
            for (LoggedEvent e : log.from(from)) {
                subscriber.deliver(log, e, log.previewFrame(e));
            }
            if (log.finished()) {
                subscriber.ended(log);
            } else {
                log.subscribers.add(subscriber);
            }
        }
    }

    /** Stops following without waiting for the end (an SSE stream whose client left). */
    static void unfollow(JobEventLog log, EventSubscriber subscriber) {
        log.subscribers.remove(subscriber);
    }

    /**
     * A socket's {@code subscribe}: an acknowledgement ({@code subscribed}, with the next live sequence number and
     * whether the job has ended), the job's events from {@code from} that this socket has not been sent yet, then its
     * live events. Unknown job or too many subscriptions: an {@code error} message.
     */
    void subscribe(ClientConnection client, String promptId, long from) {
        Optional<JobEventLog> found = logs.find(promptId);
        if (found.isEmpty()) {
            client.sendText(error("subscribe", "no job with prompt_id " + promptId, promptId));
            return;
        }
        JobEventLog log = found.get();
        synchronized (log) {
            boolean ended = log.finished();
            if (!ended && !client.addSubscription(log)) {
                client.sendText(error("subscribe", "a socket may follow at most " + ClientConnection.MAX_SUBSCRIPTIONS
                        + " running or queued jobs; unsubscribe first", promptId));
                return;
            }
            Map<String, Object> ack = new LinkedHashMap<>();
            ack.put("prompt_id", promptId);
            ack.put("from", from);
            ack.put("next_seq", log.nextSeq());
            ack.put("finished", ended);
            ack.put("source", log.fromHistory() ? "history" : "log");
            client.sendText(message("subscribed", ack));
            follow(log, from, client);
        }
    }

    /** A socket's {@code unsubscribe}: live events of that job stop (its own jobs go back to the default stream). */
    void unsubscribe(ClientConnection client, String promptId) {
        JobEventLog log = client.removeSubscription(promptId);
        if (log != null) {
            log.subscribers.remove(client);
        }
        Map<String, Object> ack = new LinkedHashMap<>();
        ack.put("prompt_id", promptId);
        ack.put("was_subscribed", log != null);
        client.sendText(message("unsubscribed", ack));
    }

    /** The reply to a client's {@code feature_flags}: stores them and answers with the server's. */
    void featureFlags(ClientConnection client, com.fasterxml.jackson.databind.JsonNode flags) {
        client.featureFlags(flags);
        client.sendText(message("feature_flags", serverFeatures));
    }

    /** An {@code error} message about a client's request. */
    String error(String request, String message, String promptId) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("message", message);
        data.put("request", request);
        if (promptId != null) {
            data.put("prompt_id", promptId);
        }
        return message("error", data);
    }

    int logCount() {
        return logs.size();
    }

    /** Ends the SSE streams and closes the sockets (the server stops). */
    @Override
    public void close() {
        streams.close();
        clients.values().forEach(c -> c.close(StatusCode.SHUTDOWN, "server stopping"));
        clients.clear();
    }

    // --- messages ---

    private static Map<String, Object> statusData(int queueRemaining) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", Map.of("exec_info", Map.of("queue_remaining", queueRemaining)));
        return data;
    }

    String message(String type, Map<String, Object> data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("data", data);
        return toJson(m);
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise an event", e);
        }
    }
}
