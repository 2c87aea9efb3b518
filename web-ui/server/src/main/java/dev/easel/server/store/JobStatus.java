package dev.easel.server.store;

import java.util.Locale;
import java.util.Optional;

/**
 * A job's status as ComfyUI's {@code /api/jobs} names it: queued, running, or how it finished (an interrupted job is
 * {@code cancelled}, another error {@code failed}).
 */
public enum JobStatus {
    PENDING, IN_PROGRESS, COMPLETED, FAILED, CANCELLED;

    /** The name in the API ({@code in_progress}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status called {@code name} in the API (exactly, lower case); empty when there is none. */
    public static Optional<JobStatus> fromWireName(String name) {
        for (JobStatus status : values()) {
            if (status.wireName().equals(name)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
