package dev.easel.runtime.safetensors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small, strict JSON subset reader and string writer the safetensors header needs (RFC 8259, no extensions).
 *
 * <p>Values map to: object → {@link LinkedHashMap} (key order kept, duplicate keys rejected), array → {@link List},
 * string → {@link String}, number → {@link NumberLiteral} (its literal text, see {@link NumberLiteral#isNonNegativeInteger()}),
 * {@code true}/{@code false} → {@link Boolean}, {@code null} → {@link #NULL}. Whitespace may follow the value (the
 * reference writer pads the header with spaces); anything else after it is an error.
 */
final class Json {

    /** The JSON {@code null} (Java {@code null} would be ambiguous with a missing key). */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** A JSON number, kept as its literal text so that integers of any size can be checked exactly. */
    record NumberLiteral(String text) {

        /** True for a plain non-negative integer literal ({@code 0}, {@code 42}; not {@code -1}, {@code 1.0}, {@code 1e3}). */
        boolean isNonNegativeInteger() {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < '0' || c > '9') {
                    return false;
                }
            }
            return !text.isEmpty();
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Thrown for malformed JSON; the message names the character offset. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message, int offset) {
            super(message + " at character " + offset);
        }
    }

    /** The same nesting limit as serde_json, which the reference implementation uses. */
    private static final int MAX_DEPTH = 128;

    private final String text;
    private int pos;
    private int depth;

    private Json(String text) {
        this.text = text;
    }

    /** Parses one JSON value followed only by whitespace. */
    static Object parse(String text) throws SyntaxException {
        Json parser = new Json(text);
        parser.skipWhitespace();
        Object value = parser.readValue();
        parser.skipWhitespace();
        if (parser.pos != text.length()) {
            throw new SyntaxException("unexpected '" + text.charAt(parser.pos) + "' after the JSON value", parser.pos);
        }
        return value;
    }

    private Object readValue() throws SyntaxException {
        if (pos >= text.length()) {
            throw new SyntaxException("unexpected end of JSON", pos);
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return readObject();
            case '[':
                return readArray();
            case '"':
                return readString();
            case 't':
                return readLiteral("true", Boolean.TRUE);
            case 'f':
                return readLiteral("false", Boolean.FALSE);
            case 'n':
                return readLiteral("null", NULL);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return readNumber();
                }
                throw new SyntaxException("unexpected '" + c + "'", pos);
        }
    }

    private Map<String, Object> readObject() throws SyntaxException {
        enter();
        pos++; // {
        Map<String, Object> object = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            depth--;
            return object;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw new SyntaxException("expected a string key", pos);
            }
            int keyAt = pos;
            String key = readString();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object value = readValue();
            if (object.putIfAbsent(key, value) != null) {
                throw new SyntaxException("duplicate key \"" + key + "\"", keyAt);
            }
            skipWhitespace();
            char c = next("',' or '}'");
            if (c == '}') {
                depth--;
                return object;
            }
            if (c != ',') {
                throw new SyntaxException("expected ',' or '}' but found '" + c + "'", pos - 1);
            }
        }
    }

    private List<Object> readArray() throws SyntaxException {
        enter();
        pos++; // [
        List<Object> array = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            depth--;
            return array;
        }
        while (true) {
            skipWhitespace();
            array.add(readValue());
            skipWhitespace();
            char c = next("',' or ']'");
            if (c == ']') {
                depth--;
                return array;
            }
            if (c != ',') {
                throw new SyntaxException("expected ',' or ']' but found '" + c + "'", pos - 1);
            }
        }
    }

    private String readString() throws SyntaxException {
        pos++; // opening quote
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next("closing '\"'");
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw new SyntaxException("unescaped control character U+" + String.format("%04X", (int) c)
                        + " in a string", pos - 1);
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = next("an escape");
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    char unit = readHex4();
                    if (Character.isHighSurrogate(unit)) {
                        if (!text.startsWith("\\u", pos)) {
                            throw new SyntaxException("lone high surrogate \\u" + hex(unit), pos);
                        }
                        pos += 2;
                        char low = readHex4();
                        if (!Character.isLowSurrogate(low)) {
                            throw new SyntaxException("high surrogate \\u" + hex(unit) + " not followed by a low one", pos);
                        }
                        out.append(unit).append(low);
                    } else if (Character.isLowSurrogate(unit)) {
                        throw new SyntaxException("lone low surrogate \\u" + hex(unit), pos);
                    } else {
                        out.append(unit);
                    }
                }
                default -> throw new SyntaxException("invalid escape '\\" + e + "'", pos - 1);
            }
        }
    }

    private char readHex4() throws SyntaxException {
        if (pos + 4 > text.length()) {
            throw new SyntaxException("truncated \\u escape", pos);
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(pos + i), 16);
            if (digit < 0) {
                throw new SyntaxException("invalid hex digit in \\u escape", pos + i);
            }
            value = value * 16 + digit;
        }
        pos += 4;
        return (char) value;
    }

    private NumberLiteral readNumber() throws SyntaxException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            digits();
        } else {
            throw new SyntaxException("invalid number", start);
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) {
                throw new SyntaxException("invalid number: digit expected after '.'", pos);
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw new SyntaxException("invalid number: digit expected in the exponent", pos);
            }
            digits();
        }
        return new NumberLiteral(text.substring(start, pos));
    }

    private void digits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private Object readLiteral(String literal, Object value) throws SyntaxException {
        if (!text.startsWith(literal, pos)) {
            throw new SyntaxException("unexpected '" + text.charAt(pos) + "'", pos);
        }
        pos += literal.length();
        return value;
    }

    private void enter() throws SyntaxException {
        if (++depth > MAX_DEPTH) {
            throw new SyntaxException("nested deeper than " + MAX_DEPTH + " levels", pos);
        }
    }

    private void expect(char wanted) throws SyntaxException {
        char c = next("'" + wanted + "'");
        if (c != wanted) {
            throw new SyntaxException("expected '" + wanted + "' but found '" + c + "'", pos - 1);
        }
    }

    private char next(String expected) throws SyntaxException {
        if (pos >= text.length()) {
            throw new SyntaxException("unexpected end of JSON, expected " + expected, pos);
        }
        return text.charAt(pos++);
    }

    /** The current character, or 0 at the end (never a valid token start). */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String hex(char c) {
        return String.format("%04x", (int) c);
    }

    /**
     * Appends {@code s} as a JSON string literal, escaped exactly as serde_json (the reference writer) does:
     * {@code "} and {@code \} with a backslash, {@code \b \f \n \r \t} in short form, other control characters as
     * {@code \}{@code u00xx} (lowercase hex), everything else unescaped.
     */
    static void appendString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
