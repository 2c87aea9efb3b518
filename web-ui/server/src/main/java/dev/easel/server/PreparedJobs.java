package dev.easel.server;

import dev.easel.engine.validation.ValidatedWorkflow;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Validated workflows that {@code POST /prompt} hands to the {@link JobRunner} for the jobs it queued, by prompt id.
 * Bounded: past {@link #CAPACITY} the oldest go (their jobs are then parsed and validated again when they run). An
 * entry is used only when the stored prompt is the very text it was made from, so a stale entry (its job deleted
 * and the id queued again) can never run the wrong workflow.
 */
final class PreparedJobs {

    static final int CAPACITY = 10_000;

    record Prepared(String promptJson, ValidatedWorkflow workflow, Map<String, Object> extraData) {
    }

    private final Map<String, Prepared> byId = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Prepared> eldest) {
            return size() > CAPACITY;
        }
    };

    synchronized void put(String promptId, String promptJson, ValidatedWorkflow workflow,
            Map<String, Object> extraData) {
        byId.put(promptId, new Prepared(promptJson, workflow, extraData));
    }

    /** The entry for a job being claimed (removed), or null when there is none for exactly this prompt text. */
    synchronized Prepared take(String promptId, String promptJson) {
        Prepared p = byId.remove(promptId);
        return p != null && p.promptJson().equals(promptJson) ? p : null;
    }
}
