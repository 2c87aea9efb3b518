package dev.easel.plugins.js;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Value;

/**
 * Moves values across the sandbox boundary as copies, never as Java objects. In: numbers, strings, booleans, lists and
 * maps with string keys become JavaScript values (integers beyond ±2^53 become BigInts, so 64-bit seeds survive); out:
 * a script's plain-data snapshot becomes {@code Long}, {@code Double}, {@code String}, {@code Boolean},
 * {@code BigInteger}, {@code null}, {@code List} and {@code Map}.
 */
final class JsValues {

    /** 2^53: the integers a JavaScript number holds exactly are within ±this. */
    static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
    private static final int MAX_INPUT_DEPTH = 64;

    private JsValues() {
    }

    /**
     * Checks a Java input value and copies it into the shapes {@link #toJs} accepts.
     *
     * @param what     names the value in errors, for example {@code "input 'a'"}
     * @param unsigned true when a {@code long} holds the unsigned bits of a 64-bit integer (seeds)
     * @throws IllegalArgumentException for values a script cannot take (tensors, models, other objects)
     */
    static Object checkInput(String what, Object value, boolean unsigned) {
        return check(what, value, unsigned, 0);
    }

    private static Object check(String what, Object value, boolean unsigned, int depth) {
        if (depth > MAX_INPUT_DEPTH) {
            throw new IllegalArgumentException(what + " nests deeper than " + MAX_INPUT_DEPTH + " levels");
        }
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Double
                || value instanceof BigInteger) {
            return value;
        }
        if (value instanceof Long l) {
            return unsigned && l < 0 ? new BigInteger(Long.toUnsignedString(l)) : l;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof Character c) {
            return c.toString();
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                copy.add(check(what + "[" + i + "]", list.get(i), false, depth + 1));
            }
            return copy;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException(what + " is a map with a non-text key (" + e.getKey()
                            + "); scripts take maps with string keys only");
                }
                copy.put(key, check(what + "." + key, e.getValue(), false, depth + 1));
            }
            return copy;
        }
        throw new IllegalArgumentException(what + " is a " + value.getClass().getSimpleName()
                + ", which JavaScript cannot take: scripts get numbers, strings, booleans, lists and maps only "
                + "(tensors, images, latents and models stay on the Java side)");
    }

    /**
     * Builds the JavaScript copy of a value from {@link #checkInput} with the prelude's helpers; primitives are
     * returned as Java values, which GraalVM passes as JavaScript primitives.
     */
    static Object toJs(Value helpers, Object value) {
        if (value instanceof Long l) {
            return Math.abs(l) <= MAX_SAFE_INTEGER ? (Object) l.doubleValue()
                    : helpers.invokeMember("bigint", l.toString());
        }
        if (value instanceof BigInteger big) {
            return helpers.invokeMember("bigint", big.toString());
        }
        if (value instanceof List<?> list) {
            Value array = helpers.invokeMember("array");
            for (Object item : list) {
                helpers.invokeMember("push", array, toJs(helpers, item));
            }
            return array;
        }
        if (value instanceof Map<?, ?> map) {
            Value object = helpers.invokeMember("object");
            for (Map.Entry<?, ?> e : map.entrySet()) {
                helpers.invokeMember("put", object, e.getKey(), toJs(helpers, e.getValue()));
            }
            return object;
        }
        // null, String, Boolean and Double are JavaScript primitives as they are.
        return value;
    }

    /**
     * Copies a snapshot made by the prelude (plain data only) into Java: integral numbers become {@code Long} (or
     * {@code BigInteger} beyond 64 bits), other numbers {@code Double}.
     */
    static Object fromJs(Value v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isString()) {
            return v.asString();
        }
        if (v.isNumber()) {
            if (v.fitsInLong()) {
                long l = v.asLong();
                // -0 is a float, not the integer 0.
                return l == 0 && v.fitsInDouble() && Double.doubleToRawLongBits(v.asDouble()) != 0 ? (Object) (-0.0) : l;
            }
            if (v.fitsInBigInteger() && !isFloatingPoint(v)) {
                return v.asBigInteger();
            }
            return v.asDouble();
        }
        if (v.hasArrayElements()) {
            int n = Math.toIntExact(v.getArraySize());
            List<Object> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(fromJs(v.getArrayElement(i)));
            }
            return Collections.unmodifiableList(list);
        }
        if (v.hasMembers()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (String key : v.getMemberKeys()) {
                map.put(key, fromJs(v.getMember(key)));
            }
            return Collections.unmodifiableMap(map);
        }
        throw new IllegalStateException("not plain data: " + v);
    }

    /** A JS number beyond 2^63 fits a BigInteger too; only BigInts should become one. */
    private static boolean isFloatingPoint(Value v) {
        return v.fitsInDouble() && !v.getMetaObject().getMetaSimpleName().equals("bigint");
    }
}
