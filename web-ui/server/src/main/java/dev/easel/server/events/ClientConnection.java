package dev.easel.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One WebSocket client and the frames on their way to it. Senders (the job runner among them) only append to a
 * bounded queue and never wait: the queue is drained one frame at a time with Jetty's asynchronous send, the next
 * frame going out when the previous one's write completed. Jetty's own queue is unbounded ({@code WsContext.send}
 * hands every frame to {@code Session.sendText(text, Callback.NOOP)}), so without this a client that stops reading
 * would make the server hold every event and preview for it. A client more than {@link #MAX_QUEUED_BYTES} behind is
 * disconnected; it can reconnect and replay what it missed from the job's log.
 *
 * <p>It also remembers, per job, which sequence numbers it was sent, so a replay never sends an event twice, and the
 * jobs it subscribed to (at most {@link #MAX_SUBSCRIPTIONS} at a time).
 */
public final class ClientConnection implements EventSubscriber {

    /** Queued (unsent) bytes beyond which the client counts as gone: about 16 MiB, or a few hundred previews. */
    static final long MAX_QUEUED_BYTES = 16L << 20;
    /** Jobs one socket may follow at once. */
    static final int MAX_SUBSCRIPTIONS = 16;
    /** Jobs whose sent sequence numbers are remembered (the running one and a few before). */
    private static final int TRACKED_JOBS = 8;

    private final String clientId;
    private final Session session;
    private final Object lock = new Object();
    private final ArrayDeque<Object> queue = new ArrayDeque<>(); // String (text frame) or ByteBuffer (binary)
    private long queuedBytes;
    private boolean inFlight;
    private boolean draining;
    private boolean closed;
    private final Map<String, JobEventLog> subscriptions = new LinkedHashMap<>();
    private final Map<Long, BitSet> sent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, BitSet> eldest) {
            return size() > TRACKED_JOBS;
        }
    };
    private volatile JsonNode featureFlags;

    ClientConnection(String clientId, Session session) {
        this.clientId = clientId;
        this.session = session;
    }

    public String clientId() {
        return clientId;
    }

    /** The client's {@code feature_flags} message data, or null when it sent none. */
    public JsonNode featureFlags() {
        return featureFlags;
    }

    void featureFlags(JsonNode flags) {
        this.featureFlags = flags;
    }

    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Queues a text frame. */
    void sendText(String text) {
        if (offer(text, 2L * text.length())) {
            pump();
        }
    }

    /** Queues a text frame without sending yet ({@link #flush} sends). */
    void queueText(String text) {
        offer(text, 2L * text.length());
    }

    /** Sends what is queued. */
    void flush() {
        pump();
    }

    @Override
    public void deliver(JobEventLog log, LoggedEvent event, ByteBuffer previewFrame) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            BitSet seqs = sent.computeIfAbsent(log.instanceId(), k -> new BitSet());
            if (event.seq() <= Integer.MAX_VALUE) {
                if (seqs.get((int) event.seq())) {
                    return; // this socket already has it (live before it subscribed, or a repeated subscribe)
                }
                seqs.set((int) event.seq());
            }
        }
        String text = event.wsText();
        if (!offer(text, 2L * text.length())) {
            return;
        }
        if (previewFrame != null && !offer(previewFrame.duplicate(), previewFrame.remaining())) {
            return;
        }
        pump();
    }

    @Override
    public void ended(JobEventLog log) {
        synchronized (lock) {
            subscriptions.remove(log.promptId(), log);
        }
    }

    /** Adds a followed job; false when this socket already follows {@link #MAX_SUBSCRIPTIONS} others. */
    boolean addSubscription(JobEventLog log) {
        synchronized (lock) {
            if (subscriptions.get(log.promptId()) == log) {
                return true;
            }
            if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
                return false;
            }
            subscriptions.put(log.promptId(), log);
            return true;
        }
    }

    /** Removes a followed job; returns its log, or null when it was not followed. */
    JobEventLog removeSubscription(String promptId) {
        synchronized (lock) {
            return subscriptions.remove(promptId);
        }
    }

    List<JobEventLog> subscriptions() {
        synchronized (lock) {
            return List.copyOf(subscriptions.values());
        }
    }

    /** Closes with a close frame (a newer socket took over this client id, or the server stops). */
    void close(int status, String reason) {
        if (markClosed()) {
            try {
                session.close(status, reason, Callback.NOOP);
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
    }

    /** Drops the connection at once (a failed write, or too far behind to catch up). */
    private void disconnect() {
        if (markClosed()) {
            try {
                session.disconnect();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
    }

    private boolean markClosed() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            closed = true;
            queue.clear();
            queuedBytes = 0;
            return true;
        }
    }

    /** Appends a frame; false (and the connection dropped) when the client is too far behind or gone. */
    private boolean offer(Object frame, long bytes) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            if (queuedBytes + bytes <= MAX_QUEUED_BYTES) {
                queue.add(frame);
                queuedBytes += bytes;
                return true;
            }
        }
        disconnect();
        return false;
    }

    /**
     * Sends queued frames, one write in flight at a time. A write that completes at once (its callback runs inside
     * the send) continues the loop here instead of recursing; one that completes later continues from its callback.
     */
    private void pump() {
        while (true) {
            Object frame;
            long bytes;
            synchronized (lock) {
                if (closed || inFlight || draining || queue.isEmpty()) {
                    return;
                }
                frame = queue.poll();
                bytes = frame instanceof String s ? 2L * s.length() : ((ByteBuffer) frame).remaining();
                inFlight = true;
                draining = true;
            }
            Callback done = Callback.from(() -> written(bytes), failure -> disconnect());
            try {
                if (frame instanceof String text) {
                    session.sendText(text, done);
                } else {
                    session.sendBinary((ByteBuffer) frame, done);
                }
            } catch (RuntimeException e) {
                disconnect();
            }
            synchronized (lock) {
                draining = false;
                if (inFlight || closed) {
                    return; // the write's callback goes on
                }
            }
        }
    }

    private void written(long bytes) {
        synchronized (lock) {
            inFlight = false;
            queuedBytes = Math.max(0, queuedBytes - bytes);
            if (draining) {
                return; // completed inside the send: the loop in pump() goes on
            }
        }
        pump();
    }
}
