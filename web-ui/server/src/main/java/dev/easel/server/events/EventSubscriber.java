package dev.easel.server.events;

import java.nio.ByteBuffer;

/**
 * Something that follows a job's log: a WebSocket connection or a Server-Sent Events stream. Both methods are called
 * while the log is locked, from the job runner's thread for live events, so they must only queue and never block.
 */
interface EventSubscriber {

    /**
     * One event of {@code log}, replayed or live, in sequence order.
     *
     * @param previewFrame the binary preview frame that goes with it (read-only, shared), or null
     */
    void deliver(JobEventLog log, LoggedEvent event, ByteBuffer previewFrame);

    /** The job's final event has been delivered (or its log was dropped): nothing more will come. */
    void ended(JobEventLog log);
}
