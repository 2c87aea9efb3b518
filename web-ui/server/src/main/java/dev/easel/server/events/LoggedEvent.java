package dev.easel.server.events;

/**
 * One event of a job's log: its sequence number within the job (0, 1, 2, ...), its ComfyUI message type and its
 * {@code data} object as JSON text (serialised once, when it happened).
 *
 * @param seq        the event's sequence number within its job
 * @param type       the ComfyUI message type, for example {@code "progress"}
 * @param dataJson   the message's {@code data} object, compact JSON (one line)
 * @param node       the node an {@code executing} or {@code progress} event is about (null in the final
 *                   {@code executing}), else null
 * @param hadPreview whether a preview image came with it (the log keeps only the latest one's bytes)
 */
public record LoggedEvent(long seq, String type, String dataJson, String node, boolean hadPreview) {

    /** The terminal event of every job: {@code executing} with {@code node: null}, sent after history is written. */
    boolean isFinal() {
        return type.equals("executing") && node == null;
    }

    /**
     * The WebSocket text frame: ComfyUI's {@code {"type", "data"}} plus a top-level {@code "seq"}, which ComfyUI
     * clients ignore (they only read {@code type} and {@code data}) and which lets a client resume after a reconnect.
     */
    String wsText() {
        return "{\"type\":\"" + type + "\",\"data\":" + dataJson + ",\"seq\":" + seq + "}";
    }

    /** The Server-Sent Events record: {@code id} = seq, {@code event} = type, {@code data} = the data object. */
    String sseText() {
        // compact JSON has no line breaks; should a mapper ever indent, each line becomes its own data: line
        return "id: " + seq + "\nevent: " + type + "\ndata: " + dataJson.replace("\n", "\ndata: ") + "\n\n";
    }

    /** Rough heap cost, for the bound on all logs. */
    long approximateBytes() {
        return 64 + 2L * (type.length() + dataJson.length());
    }
}
