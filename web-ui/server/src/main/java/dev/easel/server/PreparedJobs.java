package dev.easel.server;

import dev.easel.engine.validation.ValidatedWorkflow;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Validated workflows that {@code POST /prompt} hands to the {@link JobRunner} for the jobs it queued, by prompt id.
 * Bounded in count ({@link #CAPACITY}) and in size ({@link #MAX_PROMPT_CHARS} of prompt text, which the workflows
 * hold about as much of): past either, the oldest go, and their jobs are parsed and validated again when they run,
 * from the store, which is where a deep queue lives. An entry is used only when the stored prompt is the very text
 * it was made from, so a stale entry (its job deleted and the id queued again) can never run the wrong workflow.
 */
final class PreparedJobs {

    static final int CAPACITY = 10_000;
    static final long MAX_PROMPT_CHARS = 32L << 20;

    record Prepared(String promptJson, ValidatedWorkflow workflow, Map<String, Object> extraData) {
    }

    private final Map<String, Prepared> byId = new LinkedHashMap<>();
    private long chars;

    synchronized void put(String promptId, String promptJson, ValidatedWorkflow workflow,
            Map<String, Object> extraData) {
        if (promptJson.length() > MAX_PROMPT_CHARS / 4) {
            return; // a huge prompt is cheaper to parse again than to keep
        }
        Prepared old = byId.put(promptId, new Prepared(promptJson, workflow, extraData));
        chars += promptJson.length() - (old == null ? 0 : old.promptJson().length());
        Iterator<Prepared> oldest = byId.values().iterator();
        while (byId.size() > CAPACITY || chars > MAX_PROMPT_CHARS) {
            chars -= oldest.next().promptJson().length();
            oldest.remove();
        }
    }

    /** The entry for a job being claimed (removed), or null when there is none for exactly this prompt text. */
    synchronized Prepared take(String promptId, String promptJson) {
        Prepared p = byId.remove(promptId);
        if (p == null) {
            return null;
        }
        chars -= p.promptJson().length();
        return p.promptJson().equals(promptJson) ? p : null;
    }
}
