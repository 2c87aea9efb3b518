package dev.easel.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.server.store.JobStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The event logs kept in memory: the running job's, those of queued jobs someone subscribed to, and the most recent
 * finished ones, at most {@link #MAX_JOBS} logs and about {@link #MAX_BYTES} of events (the oldest finished logs go
 * first; a running log is never dropped). A job whose log is gone but which is in history is answered from its
 * history entry's {@code status.messages}, the durable record the job runner writes: those lifecycle messages, with
 * their index as sequence number, then the final {@code executing} (node null).
 */
final class EventLogs {

    /** Finished jobs whose full logs stay in memory. */
    static final int MAX_JOBS = 256;
    /** Approximate heap the kept logs may use. */
    static final long MAX_BYTES = 64L << 20;
    /** Below {@link #MAX_JOBS} logs, the bytes are summed only every this many calls of {@link #trim} (it is per job). */
    private static final int BYTES_CHECK_INTERVAL = 16;

    private final JobStore store;
    private final ObjectMapper json;
    private final LinkedHashMap<String, JobEventLog> logs = new LinkedHashMap<>();
    private int trimCalls;

    EventLogs(JobStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    /** The log a starting job writes to (created now, or earlier for a subscriber that waited for the job). */
    synchronized JobEventLog start(String promptId, String clientId) {
        JobEventLog log = logs.get(promptId);
        if (log == null || log.state() != JobEventLog.State.WAITING) {
            log = new JobEventLog(promptId, clientId, false);
            logs.put(promptId, log);
        }
        log.markRunning();
        return log;
    }

    /** The log of the job being run, if any. */
    synchronized JobEventLog running() {
        for (JobEventLog log : logs.values()) {
            if (log.state() == JobEventLog.State.RUNNING) {
                return log;
            }
        }
        return null;
    }

    /**
     * The log of {@code promptId}: in memory; or a new waiting one when the job is queued or just claimed; or one
     * rebuilt from its history entry; empty for an unknown job.
     */
    Optional<JobEventLog> find(String promptId) {
        synchronized (this) {
            JobEventLog log = logs.get(promptId);
            if (log != null) {
                return Optional.of(log);
            }
            Optional<JobStore.Job> waiting = store.pending().stream().filter(j -> j.promptId().equals(promptId))
                    .findFirst().or(() -> store.running().filter(j -> j.promptId().equals(promptId)));
            if (waiting.isPresent()) {
                log = new JobEventLog(promptId, waiting.get().clientId(), false);
                logs.put(promptId, log);
                trim();
                return Optional.of(log);
            }
        }
        return store.history(promptId).map(this::fromHistory);
    }

    /**
     * Drops the oldest logs beyond the bounds: finished ones first, then waiting ones (their followers are told that
     * nothing more comes). Never called with a log's monitor held (the lock order is these logs, then one log).
     */
    synchronized void trim() {
        // Summing every log's bytes on every job cost ~10% of the runner, so the byte bound is checked every
        // BYTES_CHECK_INTERVAL jobs (a few logs late is fine); the count bound is checked each time, oldest first.
        boolean checkBytes = ++trimCalls % BYTES_CHECK_INTERVAL == 0;
        if (logs.size() <= MAX_JOBS && !checkBytes) {
            return;
        }
        List<JobEventLog> dropped = new ArrayList<>();
        long total = 0;
        if (checkBytes) {
            for (JobEventLog log : logs.values()) {
                total += log.approximateBytes();
            }
        }
        for (JobEventLog.State victim : new JobEventLog.State[] {JobEventLog.State.FINISHED,
                JobEventLog.State.WAITING}) {
            Iterator<Map.Entry<String, JobEventLog>> it = logs.entrySet().iterator();
            while ((logs.size() > MAX_JOBS || total > MAX_BYTES) && it.hasNext()) {
                JobEventLog log = it.next().getValue();
                if (log.state() == victim) {
                    total -= log.approximateBytes();
                    it.remove();
                    dropped.add(log);
                }
            }
        }
        for (JobEventLog log : dropped) {
            log.subscribers.forEach(s -> s.ended(log));
            log.subscribers.clear();
        }
    }

    synchronized int size() {
        return logs.size();
    }

    private JobEventLog fromHistory(JobStore.Finished finished) {
        String promptId = finished.job().promptId();
        JobEventLog log = new JobEventLog(promptId, finished.job().clientId(), true);
        log.markRunning();
        try {
            JsonNode messages = json.readTree(finished.historyJson()).path("status").path("messages");
            for (JsonNode m : messages) {
                if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isObject()
                        && JobEventLog.EVENT_TYPE.matcher(m.get(0).asText()).matches()
                        && !m.get(0).asText().equals("executing")) { // only lifecycle messages are written there
                    log.append(m.get(0).asText(), json.writeValueAsString(m.get(1)), null, null);
                }
            }
        } catch (Exception e) {
            // an unreadable entry still ends: the client gets at least the final event
        }
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("node", null);
        done.put("prompt_id", promptId);
        try {
            log.append("executing", json.writeValueAsString(done), null, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return log;
    }
}
