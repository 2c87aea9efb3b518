package dev.easel.server.images;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The text chunks of a PNG ({@code tEXt}, {@code iTXt}, {@code zTXt}: ComfyUI's {@code prompt} and {@code workflow})
 * copied byte for byte from one file into another, so nothing is re-encoded or lost on the way.
 */
public final class PngTextChunks {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final Set<String> TEXT = Set.of("tEXt", "iTXt", "zTXt");
    /** Text chunks beyond this in all are ignored: a header this size is an attack, not a workflow. */
    private static final long MAX_TEXT_BYTES = 64L << 20;

    private PngTextChunks() {
    }

    /** The whole text chunks (length, type, data, CRC) of {@code file}; empty when it is not a PNG. */
    public static List<byte[]> read(Path file) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer sig = ByteBuffer.allocate(SIGNATURE.length);
            if (readFully(ch, sig) < SIGNATURE.length || !Arrays.equals(sig.array(), SIGNATURE)) {
                return chunks;
            }
            long total = 0;
            ByteBuffer header = ByteBuffer.allocate(8);
            while (true) {
                header.clear();
                if (readFully(ch, header) < 8) {
                    return chunks;
                }
                long length = Integer.toUnsignedLong(header.getInt(0));
                String type = new String(header.array(), 4, 4, StandardCharsets.ISO_8859_1);
                if (type.equals("IEND") || length > ch.size() - ch.position() - 4) {
                    return chunks;
                }
                if (TEXT.contains(type) && total + length <= MAX_TEXT_BYTES) {
                    ByteBuffer chunk = ByteBuffer.allocate((int) length + 12);
                    chunk.put(header.array());
                    readFully(ch, chunk);
                    chunks.add(chunk.array());
                    total += length;
                } else {
                    ch.position(ch.position() + length + 4);
                }
            }
        }
    }

    /** {@code png} with {@code chunks} inserted before its first {@code IDAT}. */
    public static byte[] insert(byte[] png, List<byte[]> chunks) {
        if (chunks.isEmpty()) {
            return png;
        }
        int at = firstIdat(png);
        ByteArrayOutputStream out = new ByteArrayOutputStream(png.length + chunks.stream().mapToInt(c -> c.length)
                .sum());
        out.write(png, 0, at);
        chunks.forEach(out::writeBytes);
        out.write(png, at, png.length - at);
        return out.toByteArray();
    }

    /** The offset of the first IDAT chunk of a PNG the JDK just wrote. */
    private static int firstIdat(byte[] png) {
        ByteBuffer buf = ByteBuffer.wrap(png);
        int at = SIGNATURE.length;
        while (at + 8 <= png.length) {
            int length = buf.getInt(at);
            if (png[at + 4] == 'I' && png[at + 5] == 'D' && png[at + 6] == 'A' && png[at + 7] == 'T') {
                return at;
            }
            at += 12 + length;
        }
        throw new IllegalStateException("the encoded PNG has no IDAT chunk");
    }

    private static int readFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                break;
            }
        }
        return buf.position();
    }
}
