package dev.easel.node;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The inputs of one node call, by input name. Literals arrive converted to their declared types: INT as
 * {@link Long}, FLOAT as {@link Double}, STRING and COMBO as {@link String}, BOOLEAN as {@link Boolean}. Linked inputs
 * arrive as the upstream node's value. For an {@link NodeSchema#inputIsList() input-is-list} node every value is a
 * {@link List}. Optional inputs that were not given are absent.
 */
public final class NodeInputs {

    private final Map<String, Object> values;

    private NodeInputs(Map<String, Object> values) {
        this.values = values;
    }

    /** Wraps a map of input values (the map is copied; nulls are allowed and mean "absent"). */
    public static NodeInputs of(Map<String, ?> values) {
        Map<String, Object> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (v != null) {
                copy.put(k, v);
            }
        });
        return new NodeInputs(Collections.unmodifiableMap(copy));
    }

    public static NodeInputs empty() {
        return new NodeInputs(Map.of());
    }

    /** True when the input has a value. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The raw value, or {@code null} when absent. */
    public Object get(String name) {
        return values.get(name);
    }

    /** The value as {@code type}. */
    public <T> T get(String name, Class<T> type) {
        Object v = require(name);
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("input '" + name + "' is a " + v.getClass().getSimpleName()
                    + ", expected " + type.getSimpleName());
        }
        return type.cast(v);
    }

    /** The value as {@code type}, or {@code fallback} when absent. */
    public <T> T getOr(String name, Class<T> type, T fallback) {
        return has(name) ? get(name, type) : fallback;
    }

    /** An INT input (unsigned inputs give the unsigned bits, see {@link InputSpec#isUnsigned()}). */
    public long getLong(String name) {
        Object v = require(name);
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        throw new IllegalArgumentException("input '" + name + "' is not an integer: " + describe(v));
    }

    /** An INT input that must fit an {@code int}. */
    public int getInt(String name) {
        long v = getLong(name);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input '" + name + "' is out of the int range: " + v);
        }
        return (int) v;
    }

    /** A FLOAT input (INT values are widened). */
    public double getDouble(String name) {
        Object v = require(name);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("input '" + name + "' is not a number: " + describe(v));
    }

    /** A STRING or COMBO input. */
    public String getString(String name) {
        Object v = require(name);
        if (v instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("input '" + name + "' is not a string: " + describe(v));
    }

    public boolean getBoolean(String name) {
        Object v = require(name);
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("input '" + name + "' is not a boolean: " + describe(v));
    }

    /** The whole list of an input-is-list node's input. */
    @SuppressWarnings("unchecked")
    public <T> List<T> getList(String name, Class<T> itemType) {
        Object v = require(name);
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException("input '" + name + "' is not a list: " + describe(v));
        }
        for (Object item : list) {
            if (item != null && !itemType.isInstance(item)) {
                throw new IllegalArgumentException("input '" + name + "' holds a " + item.getClass().getSimpleName()
                        + ", expected " + itemType.getSimpleName());
            }
        }
        return (List<T>) list;
    }

    /** The names of the inputs that have values. */
    public Set<String> names() {
        return values.keySet();
    }

    /** The inputs as an unmodifiable map. */
    public Map<String, Object> asMap() {
        return values;
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("input '" + name + "' has no value");
        }
        return v;
    }

    private static String describe(Object v) {
        return v.getClass().getSimpleName() + " " + v;
    }

    @Override
    public String toString() {
        return "NodeInputs" + values.keySet();
    }
}
