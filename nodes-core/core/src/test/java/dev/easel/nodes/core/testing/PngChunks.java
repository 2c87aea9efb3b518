package dev.easel.nodes.core.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the raw chunks of a PNG file, to check what a writer really put there. */
public final class PngChunks {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** One chunk: its four-letter type and its data. */
    public record Chunk(String type, byte[] data) {
    }

    private PngChunks() {
    }

    public static List<Chunk> read(Path png) throws IOException {
        try (InputStream raw = Files.newInputStream(png); DataInputStream in = new DataInputStream(raw)) {
            byte[] signature = in.readNBytes(8);
            if (!Arrays.equals(SIGNATURE, signature)) {
                throw new IOException("not a PNG: " + png);
            }
            List<Chunk> chunks = new ArrayList<>();
            while (true) {
                int length = in.readInt();
                String type = new String(in.readNBytes(4), StandardCharsets.ISO_8859_1);
                byte[] data = in.readNBytes(length);
                in.readInt(); // CRC
                chunks.add(new Chunk(type, data));
                if (type.equals("IEND")) {
                    return chunks;
                }
            }
        }
    }

    /** The tEXt chunks as keyword to text, in file order. */
    public static Map<String, String> text(Path png) throws IOException {
        Map<String, String> text = new LinkedHashMap<>();
        for (Chunk chunk : read(png)) {
            if (chunk.type().equals("tEXt")) {
                String body = new String(chunk.data(), StandardCharsets.ISO_8859_1);
                int nul = body.indexOf('\0');
                text.put(body.substring(0, nul), body.substring(nul + 1));
            }
        }
        return text;
    }
}
