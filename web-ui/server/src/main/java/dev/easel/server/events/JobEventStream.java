package dev.easel.server.events;

import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/jobs/{prompt_id}/events?from=N}: a job's log as Server-Sent Events ({@code id:} = seq,
 * {@code event:} = type, {@code data:} = the event's JSON data), replayed from {@code N} (or from one past the
 * {@code Last-Event-ID} header an {@code EventSource} sends when it reconnects), then live until the job's final
 * event, then the response ends. Previews are not sent (their count is in the log). Unknown job: 404
 * {@code {"error"}}; a finished job with nothing at or after the offset: 204, which tells an {@code EventSource} not
 * to reconnect.
 *
 * <p>A stream runs on its request's thread and writes from there; the runner only queues events for it (at most
 * {@link #MAX_QUEUED} unsent, after which the stream ends and the client resumes with {@code Last-Event-ID}). A
 * comment line every {@link #KEEP_ALIVE_MILLIS} keeps idle connections open. A Javalin {@code SseClient} does not
 * fit: its handler only answers requests that send {@code Accept: text/event-stream}, and a 404 or 204 has to be
 * decided before the stream starts.
 */
public final class JobEventStream {

    /** Concurrent streams (each holds a server thread while it lasts). */
    static final int MAX_STREAMS = 64;
    /** Events queued for a stream whose client reads too slowly before it is ended. */
    static final int MAX_QUEUED = 10_000;
    static final long KEEP_ALIVE_MILLIS = 15_000;

    private static final Object END = new Object();
    private static final Object OVERFLOW = new Object();

    private final EventHub hub;
    private final Semaphore slots = new Semaphore(MAX_STREAMS);
    private final Set<Follower> open = ConcurrentHashMap.newKeySet();

    JobEventStream(EventHub hub) {
        this.hub = hub;
    }

    public void handle(Context ctx) throws IOException {
        String promptId = ctx.pathParam("prompt_id");
        long from;
        try {
            from = startSeq(ctx.header("Last-Event-ID"), ctx.queryParam("from"));
        } catch (IllegalArgumentException e) {
            ctx.status(400).json(Map.of("error", e.getMessage()));
            return;
        }
        Optional<JobEventLog> found = hub.find(promptId);
        if (found.isEmpty()) {
            ctx.status(404).json(Map.of("error", "no job with prompt_id " + promptId));
            return;
        }
        JobEventLog log = found.get();
        if (log.finished() && from >= log.nextSeq()) {
            ctx.status(204);
            return;
        }
        if (!slots.tryAcquire()) {
            ctx.status(503).json(Map.of("error", "too many event streams open; try again later"));
            return;
        }
        try {
            stream(ctx.res(), log, from);
        } finally {
            slots.release();
        }
    }

    /** One past {@code Last-Event-ID} when present (a reconnecting EventSource), else {@code from}, else 0. */
    static long startSeq(String lastEventId, String from) {
        if (lastEventId != null && !lastEventId.isBlank()) {
            return parse(lastEventId.strip(), "Last-Event-ID") + 1;
        }
        return from == null || from.isBlank() ? 0 : parse(from.strip(), "from");
    }

    private static long parse(String text, String what) {
        try {
            long n = Long.parseLong(text);
            if (n >= 0 && n < Long.MAX_VALUE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(what + " must be a sequence number (an integer >= 0), got: " + text);
    }

    private void stream(HttpServletResponse res, JobEventLog log, long from) throws IOException {
        res.setStatus(200);
        res.setContentType("text/event-stream");
        res.setCharacterEncoding("UTF-8");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        Follower follower = new Follower();
        open.add(follower);
        try {
            OutputStream out = res.getOutputStream();
            res.flushBuffer();
            hub.follow(log, from, follower);
            while (true) {
                Object next = follower.queue.poll(KEEP_ALIVE_MILLIS, TimeUnit.MILLISECONDS);
                if (next == null) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } else if (next instanceof LoggedEvent event) {
                    out.write(event.sseText().getBytes(StandardCharsets.UTF_8));
                    if (follower.queue.isEmpty()) {
                        out.flush();
                    }
                } else {
                    out.flush();
                    return; // END or OVERFLOW
                }
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            EventHub.unfollow(log, follower);
            open.remove(follower);
        }
    }

    /** Ends every open stream (the server stops). */
    void close() {
        open.forEach(Follower::end);
    }

    /** The queue between the job runner and one stream's thread. */
    private static final class Follower implements EventSubscriber {
        final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private volatile boolean overflowed;

        @Override
        public void deliver(JobEventLog log, LoggedEvent event, ByteBuffer previewFrame) {
            if (overflowed) {
                return;
            }
            if (queue.size() >= MAX_QUEUED) { // the client reads too slowly: end the stream, it can resume
                overflowed = true;
                queue.clear();
                queue.add(OVERFLOW);
                return;
            }
            queue.add(event);
        }

        @Override
        public void ended(JobEventLog log) {
            end();
        }

        void end() {
            queue.add(END);
        }
    }
}
