package dev.easel.nodes.core.model.files;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The central directory of a zip file as {@code torch.save} writes it (stored entries, ZIP64 when large), read
 * without the JDK's zip classes so that the absolute offset of every entry's data is known and the data can be mapped
 * in place. Deflated entries (a re-zipped checkpoint) are supported by inflating them into memory.
 */
final class TorchZip {

    /** One entry. */
    record Entry(String name, int method, long compressedSize, long size, long localHeaderOffset) {
    }

    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;

    private final Path file;
    private final FileChannel channel;
    private final long fileSize;
    private final Map<String, Entry> entries;

    private TorchZip(Path file, FileChannel channel, long fileSize, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.fileSize = fileSize;
        this.entries = entries;
    }

    /** Reads the central directory of {@code file} through {@code channel} (which the caller closes). */
    static TorchZip read(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        int tailLength = (int) Math.min(size, 22 + 65535);
        ByteBuffer tail = readAt(channel, size - tailLength, tailLength);
        int eocd = -1;
        for (int i = tailLength - 22; i >= 0; i--) {
            if (tail.getInt(i) == EOCD && i + 22 + (tail.getShort(i + 20) & 0xffff) <= tailLength) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw corrupt(file, "truncated or corrupt zip archive: no end-of-central-directory record (the file"
                    + " is " + size + " bytes; an incomplete download?)");
        }
        long eocdPosition = size - tailLength + eocd;
        long count = tail.getShort(eocd + 10) & 0xffff;
        long cdSize = tail.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = tail.getInt(eocd + 16) & 0xffffffffL;
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            if (eocdPosition < 20) {
                throw corrupt(file, "corrupt zip archive: ZIP64 locator missing");
            }
            ByteBuffer locator = readAt(channel, eocdPosition - 20, 20);
            if (locator.getInt(0) != ZIP64_LOCATOR) {
                throw corrupt(file, "corrupt zip archive: ZIP64 locator missing");
            }
            long zip64Offset = locator.getLong(8);
            if (zip64Offset < 0 || zip64Offset + 56 > size) {
                throw corrupt(file, "truncated or corrupt zip archive: ZIP64 directory record out of range");
            }
            ByteBuffer z = readAt(channel, zip64Offset, 56);
            if (z.getInt(0) != ZIP64_EOCD) {
                throw corrupt(file, "corrupt zip archive: bad ZIP64 directory record");
            }
            count = z.getLong(32);
            cdSize = z.getLong(40);
            cdOffset = z.getLong(48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > size || cdSize > Integer.MAX_VALUE) {
            throw corrupt(file, "truncated or corrupt zip archive: the central directory (" + cdSize + " bytes at "
                    + cdOffset + ") lies outside the " + size + "-byte file");
        }
        ByteBuffer cd = readAt(channel, cdOffset, (int) cdSize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cdSize || cd.getInt(p) != CENTRAL) {
                throw corrupt(file, "corrupt zip archive: bad central directory entry " + i);
            }
            int method = cd.getShort(p + 10) & 0xffff;
            long csize = cd.getInt(p + 20) & 0xffffffffL;
            long usize = cd.getInt(p + 24) & 0xffffffffL;
            int nameLength = cd.getShort(p + 28) & 0xffff;
            int extraLength = cd.getShort(p + 30) & 0xffff;
            int commentLength = cd.getShort(p + 32) & 0xffff;
            long local = cd.getInt(p + 42) & 0xffffffffL;
            if (p + 46 + nameLength + extraLength + commentLength > cdSize) {
                throw corrupt(file, "corrupt zip archive: central directory entry " + i + " overruns the directory");
            }
            byte[] nameBytes = new byte[nameLength];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            int e = p + 46 + nameLength;
            int extraEnd = e + extraLength;
            while (e + 4 <= extraEnd) {
                int id = cd.getShort(e) & 0xffff;
                int len = cd.getShort(e + 2) & 0xffff;
                if (id == 0x0001) {
                    int q = e + 4;
                    if (usize == 0xffffffffL && q + 8 <= e + 4 + len) {
                        usize = cd.getLong(q);
                        q += 8;
                    }
                    if (csize == 0xffffffffL && q + 8 <= e + 4 + len) {
                        csize = cd.getLong(q);
                        q += 8;
                    }
                    if (local == 0xffffffffL && q + 8 <= e + 4 + len) {
                        local = cd.getLong(q);
                    }
                }
                e += 4 + len;
            }
            entries.put(name, new Entry(name, method, csize, usize, local));
            p += 46 + nameLength + extraLength + commentLength;
        }
        return new TorchZip(file, channel, size, Collections.unmodifiableMap(entries));
    }

    Map<String, Entry> entries() {
        return entries;
    }

    long fileSize() {
        return fileSize;
    }

    /** The absolute file offset of the entry's (stored or compressed) data, checked to lie within the file. */
    long dataOffset(Entry entry) throws IOException {
        if (entry.localHeaderOffset() < 0 || entry.localHeaderOffset() + 30 > fileSize) {
            throw truncated(entry);
        }
        ByteBuffer local = readAt(channel, entry.localHeaderOffset(), 30);
        if (local.getInt(0) != LOCAL) {
            throw new CheckpointFormatException(file, entry.name(), "corrupt zip archive: bad local header");
        }
        long offset = entry.localHeaderOffset() + 30 + (local.getShort(26) & 0xffff) + (local.getShort(28) & 0xffff);
        if (offset + entry.compressedSize() > fileSize) {
            throw truncated(entry);
        }
        return offset;
    }

    /** The entry's uncompressed bytes (for entries under 2 GiB). */
    byte[] readBytes(Entry entry) throws IOException {
        if (entry.size() > Integer.MAX_VALUE - 16 || entry.compressedSize() > Integer.MAX_VALUE - 16) {
            throw new CheckpointFormatException(file, entry.name(), "entry too large to read into memory");
        }
        long offset = dataOffset(entry);
        ByteBuffer raw = readAt(channel, offset, (int) entry.compressedSize());
        byte[] bytes = new byte[raw.remaining()];
        raw.get(bytes);
        if (entry.method() == 0) {
            return bytes;
        }
        if (entry.method() != 8) {
            throw new CheckpointFormatException(file, entry.name(), "unsupported zip compression method "
                    + entry.method());
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(bytes);
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) entry.size());
            byte[] chunk = new byte[1 << 16];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new CheckpointFormatException(file, entry.name(), "truncated compressed zip entry");
                }
                out.write(chunk, 0, n);
            }
            if (out.size() != entry.size()) {
                throw new CheckpointFormatException(file, entry.name(), "compressed zip entry inflates to "
                        + out.size() + " bytes, the directory says " + entry.size());
            }
            return out.toByteArray();
        } catch (DataFormatException ex) {
            throw new CheckpointFormatException(file, entry.name(), "corrupt compressed zip entry: "
                    + ex.getMessage());
        } finally {
            inflater.end();
        }
    }

    private CheckpointFormatException truncated(Entry entry) {
        return new CheckpointFormatException(file, entry.name(), "truncated zip archive: the entry's data lies past"
                + " the end of the " + fileSize + "-byte file");
    }

    private static CheckpointFormatException corrupt(Path file, String problem) {
        return new CheckpointFormatException(file, null, problem);
    }

    static ByteBuffer readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int n = channel.read(b, position + b.position());
            if (n < 0) {
                throw new java.io.EOFException("unexpected end of file at " + (position + b.position()));
            }
        }
        return b.flip();
    }
}
