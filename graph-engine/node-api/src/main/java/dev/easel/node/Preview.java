package dev.easel.node;

/**
 * A preview image sent with a progress update (sampling previews).
 *
 * @param format the encoding, {@link Format#JPEG} or {@link Format#PNG}
 * @param bytes  the encoded image
 */
public record Preview(Format format, byte[] bytes) {

    /** Image encodings of preview frames, numbered as in ComfyUI's binary WebSocket frames. */
    public enum Format {
        JPEG(1, "image/jpeg"), PNG(2, "image/png");

        private final int wireId;
        private final String mimeType;

        Format(int wireId, String mimeType) {
            this.wireId = wireId;
            this.mimeType = mimeType;
        }

        public int wireId() {
            return wireId;
        }

        public String mimeType() {
            return mimeType;
        }
    }
}
