package dev.easel.plugins.js;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A script's console: keeps the first {@code limit} bytes of one evaluation and drops the rest. */
final class BoundedOutput extends OutputStream {

    private final int limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean truncated;

    BoundedOutput(int limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
        if (bytes.size() < limit) {
            bytes.write(b);
        } else {
            truncated = true;
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int room = Math.max(0, limit - bytes.size());
        bytes.write(b, off, Math.min(room, len));
        truncated |= len > room;
    }

    /** The text written since the last call, then clears it. */
    synchronized String drain() {
        String text = bytes.toString(StandardCharsets.UTF_8);
        if (truncated) {
            text += "\n[console output cut at " + limit + " bytes]";
        }
        bytes.reset();
        truncated = false;
        return text;
    }
}
