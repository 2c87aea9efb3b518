package dev.easel.nodes.core.pycompat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} for plain values (maps, lists, strings, numbers, booleans, null): the same separators,
 * the same indentation, and non-ASCII characters escaped ({@code ensure_ascii}), which also keeps the text valid in
 * a PNG tEXt chunk (Latin-1 only).
 */
public final class PythonJson {

    private static final JsonMapper MAPPER = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final ObjectWriter COMPACT = MAPPER.writer(new PythonStylePrettyPrinter(null));
    private static final ObjectWriter INDENTED = MAPPER.writer(new PythonStylePrettyPrinter("    "));

    private PythonJson() {
    }

    /** {@code json.dumps(value)}: one line, {@code ", "} and {@code ": "} separators. */
    public static String dumps(Object value) {
        return write(COMPACT, value);
    }

    /** {@code json.dumps(value, indent=4)}. */
    public static String dumpsIndented(Object value) {
        return write(INDENTED, value);
    }

    /**
     * True when {@code value} is made only of what {@code json.dumps} accepts: maps with string keys, lists, strings,
     * numbers, booleans and null. Other objects (tensors, models) would be serialized as Java beans, so callers check
     * first and fall back to {@link PythonText#str}.
     */
    public static boolean isPlain(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Long
                || value instanceof Integer || value instanceof Short || value instanceof Byte
                || value instanceof Double || value instanceof Float || value instanceof BigInteger
                || value instanceof BigDecimal) {
            return true;
        }
        if (value instanceof List<?> list) {
            return list.stream().allMatch(PythonJson::isPlain);
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().allMatch(e -> e.getKey() instanceof String && isPlain(e.getValue()));
        }
        return false;
    }

    private static String write(ObjectWriter writer, Object value) {
        if (!isPlain(value)) {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
        try {
            return writer.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
