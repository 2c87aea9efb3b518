package dev.easel.server.events;

import dev.easel.node.Preview;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The events of one job, numbered from 0, and who follows them (api-contract §12 #11). Every method that changes the
 * log or reads it for a replay runs under the log's monitor; the hub appends and delivers under that same monitor,
 * so a subscriber that replays and then attaches misses nothing and gets nothing twice.
 *
 * <p>Bounded: above {@link #COALESCE_ABOVE} events, a {@code progress} event replaces the one just before it when
 * both are about the same node (the latest step is what matters; its sequence number stays, so replays may skip
 * numbers there); above {@link #MAX_EVENTS} the oldest tenth is dropped (a replay then starts at the oldest kept).
 * Only the latest preview image is kept, attached to the event it came with.
 */
public final class JobEventLog {

    /** Events kept one by one; beyond this, consecutive progress of one node is coalesced. */
    static final int COALESCE_ABOVE = 1_000;
    /** Hard cap on kept events of one job (only reached by jobs with that many nodes). */
    static final int MAX_EVENTS = 10_000;

    static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9_.]{1,64}");

    /** Where a log is in the job's life. */
    enum State { WAITING, RUNNING, FINISHED }

    private static final AtomicLong INSTANCES = new AtomicLong();

    /** Tells apart two logs of one job (an evicted one and its rebuild from history): their numbers differ. */
    private final long instanceId = INSTANCES.incrementAndGet();
    private final String promptId;
    private final String clientId;
    private final boolean fromHistory;
    private final List<LoggedEvent> events = new ArrayList<>();
    /** Followers; a copy-on-write set so a subscriber can leave without the log's monitor (no lock ordering). */
    final Set<EventSubscriber> subscribers = new CopyOnWriteArraySet<>();
    private State state = State.WAITING;
    private long nextSeq;
    private long bytes;
    private Preview latestPreview;
    private long latestPreviewSeq = -1;
    private long previews;

    JobEventLog(String promptId, String clientId, boolean fromHistory) {
        this.promptId = promptId;
        this.clientId = clientId;
        this.fromHistory = fromHistory;
    }

    long instanceId() {
        return instanceId;
    }

    public String promptId() {
        return promptId;
    }

    /** The client that queued the job (its execution events go to that socket), or null. */
    public String clientId() {
        return clientId;
    }

    /** True when rebuilt from the history entry's {@code status.messages} (the in-memory log was gone). */
    public boolean fromHistory() {
        return fromHistory;
    }

    synchronized State state() {
        return state;
    }

    synchronized void markRunning() {
        if (state == State.WAITING) {
            state = State.RUNNING;
        }
    }

    synchronized boolean finished() {
        return state == State.FINISHED;
    }

    /** The sequence number the next event will get. */
    public synchronized long nextSeq() {
        return nextSeq;
    }

    /** Number of events kept. */
    public synchronized int size() {
        return events.size();
    }

    /** Number of previews that came with the job's events (only the latest one's bytes are kept). */
    public synchronized long previewCount() {
        return previews;
    }

    synchronized long approximateBytes() {
        return bytes + (latestPreview == null ? 0 : latestPreview.bytes().length);
    }

    /** Appends an event and returns it; the final {@code executing} (node null) finishes the log. */
    synchronized LoggedEvent append(String type, String dataJson, String node, Preview preview) {
        if (state == State.FINISHED) {
            throw new IllegalStateException("the log of " + promptId + " has ended");
        }
        if (!EVENT_TYPE.matcher(type).matches()) { // it goes into JSON and SSE lines unquoted
            throw new IllegalArgumentException("not an event type: " + type);
        }
        LoggedEvent last = events.isEmpty() ? null : events.get(events.size() - 1);
        boolean coalesce = events.size() >= COALESCE_ABOVE && type.equals("progress") && last != null
                && last.type().equals("progress") && node != null && node.equals(last.node());
        // a kept step inherits the node's latest preview from the step it replaces
        boolean inheritsPreview = coalesce && preview == null && latestPreviewSeq == last.seq();
        LoggedEvent event = new LoggedEvent(nextSeq++, type, dataJson, node, preview != null || inheritsPreview);
        if (coalesce) {
            events.set(events.size() - 1, event);
            bytes -= last.approximateBytes();
            if (inheritsPreview) {
                latestPreviewSeq = event.seq();
            }
        } else {
            events.add(event);
        }
        bytes += event.approximateBytes();
        if (events.size() > MAX_EVENTS) {
            List<LoggedEvent> oldest = events.subList(0, MAX_EVENTS / 10);
            oldest.forEach(e -> bytes -= e.approximateBytes());
            oldest.clear();
        }
        if (preview != null) {
            latestPreview = preview;
            latestPreviewSeq = event.seq();
            previews++;
        }
        if (event.isFinal()) {
            state = State.FINISHED;
        }
        return event;
    }

    /** The kept events with {@code seq >= from}, in order. */
    synchronized List<LoggedEvent> from(long from) {
        int lo = 0;
        int hi = events.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (events.get(mid).seq() < from) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return new ArrayList<>(events.subList(lo, events.size()));
    }

    /** The last {@code executing} of a node, if the job is running one (sent to its client on reconnect). */
    synchronized LoggedEvent currentExecuting() {
        for (int i = events.size() - 1; i >= 0; i--) {
            LoggedEvent e = events.get(i);
            if (e.type().equals("executing")) {
                return e.isFinal() ? null : e;
            }
        }
        return null;
    }

    /** The preview frame that goes with {@code event}, if its image is still the kept one. */
    synchronized ByteBuffer previewFrame(LoggedEvent event) {
        return event.hadPreview() && event.seq() == latestPreviewSeq ? PreviewFrames.of(latestPreview) : null;
    }
}
