package dev.easel.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The {@code __metadata__} object of a safetensors file: the file starts with the header's length (8 bytes, little
 * endian) and the header, a JSON object. Only the header is read, and it is streamed: the tensor entries are skipped
 * without being built, so a large header costs no memory.
 */
final class SafetensorsMetadata {

    /** The format's own limit on the header (100 MB); a longer length means the file is not safetensors. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private SafetensorsMetadata() {
    }

    /**
     * The header's {@code __metadata__}; empty when there is none.
     *
     * @throws IOException when the file cannot be read or does not start with a safetensors header
     */
    static Optional<JsonNode> read(Path file, ObjectMapper json) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (length.hasRemaining()) {
                if (channel.read(length) < 0) {
                    throw new IOException(file.getFileName() + " is too short for a safetensors header");
                }
            }
            long headerBytes = length.flip().getLong();
            if (headerBytes < 2 || headerBytes > MAX_HEADER_BYTES || headerBytes > channel.size() - 8) {
                throw new IOException(file.getFileName() + " has no valid safetensors header (length "
                        + Long.toUnsignedString(headerBytes) + ")");
            }
            InputStream header = new BoundedStream(Channels.newInputStream(channel), headerBytes);
            JsonFactory factory = json.getFactory();
            try (JsonParser parser = factory.createParser(header)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException(file.getFileName() + ": the safetensors header is not a JSON object");
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    if (name.equals("__metadata__")) {
                        return Optional.of(json.readTree(parser));
                    }
                    parser.skipChildren();
                }
                return Optional.empty();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException(file.getFileName() + ": the safetensors header is not valid JSON", e);
            }
        }
    }

    /** At most {@code remaining} bytes of another stream (which it does not close). */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedStream(InputStream in, long limit) {
            this.in = in;
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(buffer, offset, (int) Math.min(length, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
