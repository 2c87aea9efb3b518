package dev.easel.runtime.safetensors;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads, validates and writes the header of a safetensors file.
 *
 * <p>Layout (format spec: https://github.com/huggingface/safetensors, "Format" section of its README):
 * <pre>
 *   8 bytes         N, unsigned little-endian: the header size
 *   N bytes         UTF-8 JSON object:
 *                     {"__metadata__": {"key": "value", ...},               (optional, string values only)
 *                      "name": {"dtype": "F16", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
 *                   padded with spaces (the reference writer pads N to a multiple of 8)
 *   rest of file    the data area: each tensor's bytes, C-contiguous, little-endian; offsets are relative to it
 * </pre>
 *
 * <p>Validation follows the reference reader: N at most 100,000,000; the header inside the file; known dtypes;
 * {@code end - begin == numel × item size}; and the tensors, sorted by offset, must tile the data area exactly:
 * no overlap, no gap and no trailing bytes.
 */
final class SafetensorsHeader {

    /** The reference implementation refuses larger headers (its MAX_HEADER_SIZE), so this one does too. */
    static final long MAX_HEADER_SIZE = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    /** The reference writer pads the header with spaces to this alignment. */
    static final int HEADER_ALIGNMENT = 8;

    final Map<String, String> metadata;
    /** In header order, which is file order; offsets are absolute. */
    final Map<String, TensorInfo> tensors;
    /** Absolute offset of the data area: 8 + N. */
    final long dataStart;

    private SafetensorsHeader(Map<String, String> metadata, Map<String, TensorInfo> tensors, long dataStart) {
        this.metadata = metadata;
        this.tensors = tensors;
        this.dataStart = dataStart;
    }

    /** Reads and validates the header of {@code file}, whose contents {@code channel} reads. */
    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw new SafetensorsFormatException(file, null, "file is " + fileSize
                    + " bytes long, too short for the 8-byte header length (truncated or not a safetensors file)");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0);
        long headerSize = lengthBytes.getLong(0);
        if (headerSize < 0 || headerSize > MAX_HEADER_SIZE) {
            throw new SafetensorsFormatException(file, null, "header length " + Long.toUnsignedString(headerSize)
                    + " exceeds the format's limit of " + MAX_HEADER_SIZE + " bytes (corrupt or not a safetensors file)");
        }
        if (8 + headerSize > fileSize) {
            throw new SafetensorsFormatException(file, null, "header length " + headerSize + " is larger than the "
                    + (fileSize - 8) + " bytes that follow it (truncated or not a safetensors file)");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerSize);
        readFully(channel, headerBytes, 8);
        String json;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes.flip());
            json = chars.toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(file, null, "header is not valid UTF-8");
        }
        if (!json.startsWith("{")) {
            throw new SafetensorsFormatException(file, null, "header does not start with '{' (not a safetensors file)");
        }
        Object root;
        try {
            root = Json.parse(json);
        } catch (Json.SyntaxException e) {
            throw new SafetensorsFormatException(file, null, "header is not valid JSON: " + e.getMessage());
        }
        return validate(file, asObject(root), 8 + headerSize, fileSize);
    }

    private static SafetensorsHeader validate(Path file, Map<String, Object> root, long dataStart, long fileSize)
            throws SafetensorsFormatException {
        long dataSize = fileSize - dataStart;
        Map<String, String> metadata = Map.of();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : root.entrySet()) {
            if (entry.getKey().equals(METADATA_KEY)) {
                metadata = readMetadata(file, entry.getValue());
            } else {
                TensorInfo info = readTensor(file, entry.getKey(), entry.getValue(), dataStart, dataSize);
                tensors.put(info.name(), info);
            }
        }
        checkTiling(file, tensors.values(), dataStart, dataSize);
        return new SafetensorsHeader(metadata, Collections.unmodifiableMap(tensors), dataStart);
    }

    private static Map<String, String> readMetadata(Path file, Object value) throws SafetensorsFormatException {
        if (value == Json.NULL) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> object)) {
            throw new SafetensorsFormatException(file, null, "\"__metadata__\" is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : object.entrySet()) {
            if (!(entry.getValue() instanceof String text)) {
                throw new SafetensorsFormatException(file, null, "metadata value of \"" + entry.getKey()
                        + "\" is not a string (the format allows only string values)");
            }
            metadata.put((String) entry.getKey(), text);
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static TensorInfo readTensor(Path file, String name, Object value, long dataStart, long dataSize)
            throws SafetensorsFormatException {
        if (!(value instanceof Map<?, ?> entry)) {
            throw new SafetensorsFormatException(file, name, "header entry is not a JSON object");
        }
        // Other keys are ignored, as the reference reader does.
        Object dtypeValue = require(file, name, entry, "dtype");
        if (!(dtypeValue instanceof String code)) {
            throw new SafetensorsFormatException(file, name, "\"dtype\" is not a string");
        }
        Optional<SafetensorsDtype> dtype = SafetensorsDtype.fromCode(code);
        if (dtype.isEmpty()) {
            throw new SafetensorsFormatException(file, name, SafetensorsDtype.UNSUPPORTED_CODES.contains(code)
                    ? "dtype \"" + code + "\" is not supported (no matching libtorch type)"
                    : "unknown dtype \"" + code + "\"");
        }
        long[] shape = readIntegers(file, name, require(file, name, entry, "shape"), "shape", -1);
        long[] offsets = readIntegers(file, name, require(file, name, entry, "data_offsets"), "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        String offsetsText = "data_offsets [" + begin + ", " + end + "]";
        if (begin > end) {
            throw new SafetensorsFormatException(file, name, offsetsText + " end before they begin");
        }
        if (end > dataSize) {
            throw new SafetensorsFormatException(file, name, offsetsText + " run past the end of the "
                    + dataSize + "-byte data area (truncated file?)");
        }
        long expectedBytes;
        try {
            expectedBytes = dtype.get().itemSize();
            for (long size : shape) {
                expectedBytes = Math.multiplyExact(expectedBytes, size);
            }
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(file, name, "shape " + Arrays.toString(shape) + " is too large");
        }
        if (end - begin != expectedBytes) {
            throw new SafetensorsFormatException(file, name, offsetsText + " hold " + (end - begin) + " bytes but "
                    + code + " " + Arrays.toString(shape) + " needs " + expectedBytes);
        }
        return new TensorInfo(name, code, dtype.get().scalarType(), shape, dataStart + begin, dataStart + end);
    }

    /** Checks that the tensors, sorted by offset, cover the data area exactly once, as the reference reader does. */
    private static void checkTiling(Path file, Iterable<TensorInfo> tensors, long dataStart, long dataSize)
            throws SafetensorsFormatException {
        List<TensorInfo> sorted = new ArrayList<>();
        tensors.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorInfo::dataBegin).thenComparingLong(TensorInfo::dataEnd));
        long covered = 0; // relative offset up to which the data area is accounted for
        TensorInfo previous = null;
        for (TensorInfo info : sorted) {
            long begin = info.dataBegin() - dataStart;
            if (begin < covered) {
                throw new SafetensorsFormatException(file, info.name(), "data_offsets [" + begin + ", "
                        + (info.dataEnd() - dataStart) + "] overlap tensor \"" + previous.name() + "\" at ["
                        + (previous.dataBegin() - dataStart) + ", " + (previous.dataEnd() - dataStart) + "]");
            }
            if (begin > covered) {
                throw new SafetensorsFormatException(file, info.name(), "data_offsets [" + begin + ", "
                        + (info.dataEnd() - dataStart) + "] leave a gap of " + (begin - covered)
                        + " bytes before them (the format requires packed data)");
            }
            covered = info.dataEnd() - dataStart;
            previous = info;
        }
        if (covered != dataSize) {
            throw new SafetensorsFormatException(file, null, "the data area is " + dataSize
                    + " bytes but the tensors cover only " + covered + " (trailing bytes or missing header entries)");
        }
    }

    private static Object require(Path file, String name, Map<?, ?> entry, String key)
            throws SafetensorsFormatException {
        Object value = entry.get(key);
        if (value == null) {
            throw new SafetensorsFormatException(file, name, "header entry has no \"" + key + "\"");
        }
        return value;
    }

    /** Reads a JSON array of non-negative integers; {@code wantedLength < 0} accepts any length. */
    private static long[] readIntegers(Path file, String name, Object value, String key, int wantedLength)
            throws SafetensorsFormatException {
        if (!(value instanceof List<?> list) || (wantedLength >= 0 && list.size() != wantedLength)) {
            throw new SafetensorsFormatException(file, name, "\"" + key + "\" is not an array of "
                    + (wantedLength >= 0 ? wantedLength + " " : "") + "non-negative integers: " + render(value));
        }
        long[] result = new long[list.size()];
        for (int i = 0; i < result.length; i++) {
            Object item = list.get(i);
            if (!(item instanceof Json.NumberLiteral number) || !number.isNonNegativeInteger()) {
                throw new SafetensorsFormatException(file, name, "\"" + key + "\" holds " + render(item)
                        + ", not a non-negative integer");
            }
            try {
                result[i] = Long.parseLong(number.text());
            } catch (NumberFormatException e) {
                throw new SafetensorsFormatException(file, name, "\"" + key + "\" holds " + number.text()
                        + ", which is too large");
            }
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object root) {
        return (Map<String, Object>) root; // the text starts with '{', so a successful parse gives an object
    }

    private static String render(Object value) {
        String text = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new EOFException("file shrank while reading its header");
            }
        }
    }

    // ---------------------------------------------------------------- writing

    /** One tensor of a header being written; offsets are relative to the data area. */
    record Entry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
    }

    /**
     * The header bytes exactly as the reference writer lays them out: compact JSON with {@code __metadata__} first
     * (only when non-empty), then each tensor's {@code dtype}, {@code shape}, {@code data_offsets}, padded with
     * spaces to a multiple of 8 bytes. The 8-byte length prefix is not included.
     */
    static byte[] encode(Map<String, String> metadata, List<Entry> entries) {
        StringBuilder json = new StringBuilder(64 + 128 * entries.size());
        json.append('{');
        boolean first = true;
        if (!metadata.isEmpty()) {
            Json.appendString(json, METADATA_KEY);
            json.append(":{");
            boolean firstPair = true;
            for (Map.Entry<String, String> pair : metadata.entrySet()) {
                if (!firstPair) {
                    json.append(',');
                }
                firstPair = false;
                Json.appendString(json, pair.getKey());
                json.append(':');
                Json.appendString(json, pair.getValue());
            }
            json.append('}');
            first = false;
        }
        for (Entry entry : entries) {
            if (!first) {
                json.append(',');
            }
            first = false;
            Json.appendString(json, entry.name());
            json.append(":{\"dtype\":");
            Json.appendString(json, entry.dtype().code());
            json.append(",\"shape\":[");
            for (int i = 0; i < entry.shape().length; i++) {
                if (i > 0) {
                    json.append(',');
                }
                json.append(entry.shape()[i]);
            }
            json.append("],\"data_offsets\":[").append(entry.begin()).append(',').append(entry.end()).append("]}");
        }
        json.append('}');
        byte[] utf8 = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (utf8.length + HEADER_ALIGNMENT - 1) / HEADER_ALIGNMENT * HEADER_ALIGNMENT;
        byte[] header = Arrays.copyOf(utf8, padded);
        Arrays.fill(header, utf8.length, padded, (byte) ' ');
        return header;
    }
}
