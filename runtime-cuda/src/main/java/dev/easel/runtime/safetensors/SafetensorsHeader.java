package dev.easel.runtime.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.OptionalInt;

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

    /** serde_json's recursion limit, which the reference reader inherits. */
    static final int MAX_JSON_DEPTH = 128;

    /**
     * Reads and writes header JSON as serde_json (the reference implementation's JSON library) does. Reading:
     * duplicate keys are errors, nesting is limited like serde_json, and strings and names may be as long as the
     * header (Jackson's default caps are lower; its default cap on number literals, 1000 characters, stays).
     * Writing: control characters escaped as lowercase {@code \}{@code u00xx} and supplementary characters as
     * 4-byte UTF-8, like serde_json (Jackson's defaults are uppercase hex and, for the latter, a pair of escapes).
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_JSON_DEPTH)
                    .maxStringLength((int) MAX_HEADER_SIZE)
                    .maxNameLength((int) MAX_HEADER_SIZE)
                    .build())
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

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
        return validate(file, parseJson(file, json), 8 + headerSize, fileSize);
    }

    // ---------------------------------------------------------------- JSON

    /** Parses the header text, which starts with '{', into an object; malformed JSON is a format error. */
    private static ObjectNode parseJson(Path file, String json) throws IOException {
        try (JsonParser parser = JSON.createParser(json)) {
            try {
                parser.nextToken(); // START_OBJECT
                ObjectNode root = (ObjectNode) readValue(parser);
                checkNothingFollows(parser);
                return root;
            } catch (JsonProcessingException e) {
                throw new SafetensorsFormatException(file, null, "header is not valid JSON: " + describe(e, parser));
            }
        }
    }

    /**
     * Reads the value at the parser's current token. Jackson's own tree reader ({@code ObjectMapper.readTree})
     * would do, but it reads {@code -0} as the integer 0 and keeps unpaired surrogates that {@code \}{@code u}
     * escapes make in string values; serde_json, which the reference reader uses, reads {@code -0} as the float
     * {@code -0.0} (so it is not a valid offset or size) and rejects unpaired surrogates. The tree is therefore built
     * here from Jackson's tokens; Jackson does all the parsing.
     */
    private static JsonNode readValue(JsonParser parser) throws IOException {
        switch (parser.currentToken()) {
            case START_OBJECT: {
                ObjectNode object = NODES.objectNode();
                for (String key = parser.nextFieldName(); key != null; key = parser.nextFieldName()) {
                    checkUnicode(parser, key);
                    parser.nextToken();
                    object.set(key, readValue(parser));
                }
                return object;
            }
            case START_ARRAY: {
                ArrayNode array = NODES.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(readValue(parser));
                }
                return array;
            }
            case VALUE_STRING:
                return NODES.textNode(checkUnicode(parser, parser.getText()));
            case VALUE_NUMBER_INT:
                return "-0".equals(parser.getText()) ? NODES.numberNode(-0.0)
                        : NODES.numberNode(parser.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(parser.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new JsonParseException(parser, "unexpected token " + parser.currentToken());
        }
    }

    /** Returns {@code text}, or fails if it holds an unpaired surrogate. */
    private static String checkUnicode(JsonParser parser, String text) throws JsonParseException {
        OptionalInt lone = loneSurrogate(text);
        if (lone.isPresent()) {
            throw new JsonParseException(parser, "lone " + (Character.isHighSurrogate((char) lone.getAsInt())
                    ? "high" : "low") + " surrogate \\u" + Integer.toHexString(lone.getAsInt()) + " in a string",
                    parser.currentTokenLocation());
        }
        return text;
    }

    /** The first unpaired UTF-16 surrogate in {@code text}, which no UTF-8 (so no safetensors header) can hold. */
    static OptionalInt loneSurrogate(String text) {
        return text.codePoints().filter(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE).findFirst();
    }

    /**
     * Fails unless only whitespace follows the value (the reference writer pads with spaces). This is what
     * {@code DeserializationFeature.FAIL_ON_TRAILING_TOKENS} checks, which applies to databind's readers only.
     */
    private static void checkNothingFollows(JsonParser parser) throws IOException {
        JsonLocation at;
        try {
            if (parser.nextToken() == null) {
                return;
            }
            at = parser.currentTokenLocation();
        } catch (JsonProcessingException e) { // not even a token, as in "{} x"
            at = e.getLocation();
        }
        throw new JsonParseException(parser, "unexpected content after the JSON value", at);
    }

    /**
     * Jackson's description of a JSON error, except that the errors this reader has always named in its own words
     * keep them (the wording below matches Jackson 2.22's messages; a change there falls back to Jackson's text).
     */
    private static String describe(JsonProcessingException e, JsonParser parser) {
        String detail = String.valueOf(e.getOriginalMessage());
        String reason;
        if (e instanceof JsonEOFException) {
            reason = "unexpected end of JSON";
        } else if (e instanceof StreamConstraintsException && detail.contains("nesting depth")) {
            reason = "nested deeper than " + MAX_JSON_DEPTH + " levels";
        } else if (detail.startsWith("Duplicate field")) {
            reason = "duplicate key \"" + parser.getParsingContext().getCurrentName() + "\"";
        } else if (detail.startsWith("Illegal unquoted character")) {
            reason = "unescaped control character in a string";
        } else if (detail.startsWith("Broken surrogate pair")) {
            reason = "lone high surrogate in a string";
        } else if (detail.startsWith("Unexpected low surrogate")) {
            reason = "lone low surrogate in a string";
        } else {
            reason = detail;
        }
        JsonLocation at = e.getLocation();
        return at != null && at.getCharOffset() >= 0 ? reason + " at character " + at.getCharOffset() : reason;
    }

    // ---------------------------------------------------------------- validation

    private static SafetensorsHeader validate(Path file, ObjectNode root, long dataStart, long fileSize)
            throws SafetensorsFormatException {
        long dataSize = fileSize - dataStart;
        Map<String, String> metadata = Map.of();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
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

    private static Map<String, String> readMetadata(Path file, JsonNode value) throws SafetensorsFormatException {
        if (value.isNull()) {
            return Map.of();
        }
        if (!value.isObject()) {
            throw new SafetensorsFormatException(file, null, "\"__metadata__\" is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new SafetensorsFormatException(file, null, "metadata value of \"" + entry.getKey()
                        + "\" is not a string (the format allows only string values)");
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static TensorInfo readTensor(Path file, String name, JsonNode entry, long dataStart, long dataSize)
            throws SafetensorsFormatException {
        if (!entry.isObject()) {
            throw new SafetensorsFormatException(file, name, "header entry is not a JSON object");
        }
        // Other keys are ignored, as the reference reader does.
        JsonNode dtypeValue = require(file, name, entry, "dtype");
        if (!dtypeValue.isTextual()) {
            throw new SafetensorsFormatException(file, name, "\"dtype\" is not a string");
        }
        String code = dtypeValue.textValue();
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

    private static JsonNode require(Path file, String name, JsonNode entry, String key)
            throws SafetensorsFormatException {
        JsonNode value = entry.get(key);
        if (value == null) {
            throw new SafetensorsFormatException(file, name, "header entry has no \"" + key + "\"");
        }
        return value;
    }

    /** Reads a JSON array of non-negative integers; {@code wantedLength < 0} accepts any length. */
    private static long[] readIntegers(Path file, String name, JsonNode value, String key, int wantedLength)
            throws SafetensorsFormatException {
        if (!value.isArray() || (wantedLength >= 0 && value.size() != wantedLength)) {
            throw new SafetensorsFormatException(file, name, "\"" + key + "\" is not an array of "
                    + (wantedLength >= 0 ? wantedLength + " " : "") + "non-negative integers: " + render(value));
        }
        long[] result = new long[value.size()];
        for (int i = 0; i < result.length; i++) {
            JsonNode item = value.get(i);
            if (!item.isIntegralNumber() || item.bigIntegerValue().signum() < 0) {
                throw new SafetensorsFormatException(file, name, "\"" + key + "\" holds " + render(item)
                        + ", not a non-negative integer");
            }
            if (!item.canConvertToLong()) {
                throw new SafetensorsFormatException(file, name, "\"" + key + "\" holds " + item
                        + ", which is too large");
            }
            result[i] = item.longValue();
        }
        return result;
    }

    /** {@code value} as JSON, shortened for a message. */
    private static String render(JsonNode value) {
        String text = value.toString();
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
        ByteArrayOutputStream utf8 = new ByteArrayOutputStream(64 + 128 * entries.size());
        try (JsonGenerator json = JSON.createGenerator(utf8)) {
            json.writeStartObject();
            if (!metadata.isEmpty()) {
                json.writeObjectFieldStart(METADATA_KEY);
                for (Map.Entry<String, String> pair : metadata.entrySet()) {
                    json.writeStringField(pair.getKey(), pair.getValue());
                }
                json.writeEndObject();
            }
            for (Entry entry : entries) {
                json.writeObjectFieldStart(entry.name());
                json.writeStringField("dtype", entry.dtype().code());
                json.writeFieldName("shape");
                json.writeArray(entry.shape(), 0, entry.shape().length);
                json.writeFieldName("data_offsets");
                json.writeArray(new long[] {entry.begin(), entry.end()}, 0, 2);
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does no I/O
        }
        int length = utf8.size();
        int padded = (length + HEADER_ALIGNMENT - 1) / HEADER_ALIGNMENT * HEADER_ALIGNMENT;
        byte[] header = Arrays.copyOf(utf8.toByteArray(), padded);
        Arrays.fill(header, length, padded, (byte) ' ');
        return header;
    }
}
