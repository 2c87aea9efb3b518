package dev.easel.server.events;

import dev.easel.node.Preview;
import java.nio.ByteBuffer;

/** ComfyUI's binary preview frame (api-contract §3.5): 4-byte type 1 = PREVIEW_IMAGE, 4-byte format, image bytes. */
final class PreviewFrames {

    /** Binary frame type of a preview image ({@code protocol.py} PREVIEW_IMAGE). */
    static final int PREVIEW_IMAGE = 1;

    private PreviewFrames() {
    }

    /** A read-only frame; senders take a {@link ByteBuffer#duplicate()} each. */
    static ByteBuffer of(Preview preview) {
        byte[] image = preview.bytes();
        ByteBuffer frame = ByteBuffer.allocate(8 + image.length);
        frame.putInt(PREVIEW_IMAGE).putInt(preview.format().wireId()).put(image).flip();
        return frame.asReadOnlyBuffer();
    }
}
