package dev.easel.plugins.js;

import dev.easel.node.InputSpec;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a {@code defineNode({...})} declaration, shaped like a ComfyUI node class ({@code INPUT_TYPES},
 * {@code RETURN_TYPES}...), into a {@link NodeSchema}:
 *
 * <pre>{@code
 * defineNode({
 *   name: "RepeatText", display_name: "Repeat Text", category: "text", description: "...",
 *   inputs: {required: {text: ["STRING", {multiline: true}], times: ["INT", {default: 2, min: 1, max: 100}]},
 *            optional: {sep: [["", " ", ","], {default: " "}]}},
 *   outputs: [["STRING", "text"]],       // or "STRING", or {type, name, tooltip, is_list}
 *   output_node: false,
 *   execute: ({text, times}) => ({text: text.repeat(times)}),
 * })
 * }</pre>
 *
 * Every problem names the file, the node and the input or output.
 */
final class JsSchemaReader {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\- ]{0,127}");
    private static final Set<String> KNOWN_KEYS = Set.of("name", "display_name", "category", "description", "inputs",
            "outputs", "output_node", "deprecated", "experimental", "search_aliases", "version", "has_execute");
    private static final Set<String> UNSUPPORTED_OPTIONS = Set.of("lazy", "rawLink");

    private JsSchemaReader() {
    }

    /**
     * @param where     names the file in errors ({@code "JavaScript pack 'x', text.js"})
     * @param category  the category of nodes that declare none
     * @param version   the cache version of the node (pack version and file hash)
     */
    static NodeSchema read(Map<?, ?> def, String where, String category, String version) throws JsPackException {
        Object rawName = def.get("name");
        if (!(rawName instanceof String name) || !NAME.matcher(name).matches()) {
            throw new JsPackException(where + ": a node needs a \"name\" of letters, digits and _ . - (got "
                    + JsTypes.describe(rawName) + ")");
        }
        String at = where + ", node " + name;
        for (Object key : def.keySet()) {
            if (!KNOWN_KEYS.contains(key)) {
                throw new JsPackException(at + ": unknown key \"" + key + "\" (known: " + KNOWN_KEYS + ")");
            }
        }
        if (!Boolean.TRUE.equals(def.get("has_execute"))) {
            throw new JsPackException(at + ": \"execute\" must be a function");
        }
        NodeSchema.Builder b = NodeSchema.builder(name)
                .displayName(text(def, "display_name", name, at))
                .category(text(def, "category", category, at))
                .description(text(def, "description", "", at))
                .version(version + (def.get("version") == null ? "" : ":" + text(def, "version", "", at)));
        if (flag(def, "output_node", at)) {
            b.outputNode();
        }
        if (flag(def, "deprecated", at)) {
            b.deprecated();
        }
        if (flag(def, "experimental", at)) {
            b.experimental();
        }
        Object aliases = def.get("search_aliases");
        if (aliases != null) {
            for (Object alias : list(aliases, at + ": \"search_aliases\"")) {
                b.searchAliases(stringOf(alias, at + ": \"search_aliases\""));
            }
        }
        readInputs(b, def.get("inputs"), at);
        readOutputs(b, def.get("outputs"), at);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new JsPackException(at + ": " + e.getMessage());
        }
    }

    private static void readInputs(NodeSchema.Builder b, Object inputs, String at) throws JsPackException {
        if (inputs == null) {
            return;
        }
        if (!(inputs instanceof Map<?, ?> groups)) {
            throw new JsPackException(at + ": \"inputs\" must be an object {required: {...}, optional: {...}}");
        }
        for (Map.Entry<?, ?> group : groups.entrySet()) {
            boolean required = "required".equals(group.getKey());
            if (!required && !"optional".equals(group.getKey())) {
                throw new JsPackException(at + ": input group \"" + group.getKey() + "\" is not supported "
                        + "(only required and optional)");
            }
            if (!(group.getValue() instanceof Map<?, ?> specs)) {
                throw new JsPackException(at + ": inputs." + group.getKey() + " must be an object of input specs");
            }
            for (Map.Entry<?, ?> spec : specs.entrySet()) {
                String inputAt = at + ", input " + spec.getKey();
                InputSpec input = readInput((String) spec.getKey(), spec.getValue(), inputAt);
                if (required) {
                    b.required(input);
                } else {
                    b.optional(input);
                }
            }
        }
    }

    private static InputSpec readInput(String name, Object spec, String at) throws JsPackException {
        List<?> pair = spec instanceof String ? List.of(spec) : list(spec, at + ": the spec ([TYPE, {options}])");
        if (pair.isEmpty() || pair.size() > 2) {
            throw new JsPackException(at + ": the spec must be [TYPE] or [TYPE, {options}]");
        }
        Map<?, ?> options = pair.size() == 2 ? map(pair.get(1), at + ": the options") : Map.of();
        Object type = pair.get(0);
        InputSpec.Builder b;
        if (type instanceof List<?> choices) {
            b = InputSpec.combo(name, strings(choices, at + ": the COMBO choices"));
        } else if (InputSpec.COMBO.equals(type)) {
            b = InputSpec.combo(name, strings(list(options.get("options"), at + ": option 'options'"),
                    at + ": option 'options'"));
        } else if (type instanceof String t && !t.isBlank()) {
            if (!JsTypes.allowed(t)) {
                throw new JsPackException(at + ": type " + t + " cannot reach JavaScript (tensors and models stay on "
                        + "the Java side; use numbers, text, booleans or JSON-like values)");
            }
            b = InputSpec.of(name, t);
        } else {
            throw new JsPackException(at + ": the type must be a name such as \"INT\" or a list of choices, got "
                    + JsTypes.describe(type));
        }
        String resolved = type instanceof String t ? t : InputSpec.COMBO;
        for (Map.Entry<?, ?> option : options.entrySet()) {
            String key = (String) option.getKey();
            Object value = option.getValue();
            String optionAt = at + ": option '" + key + "'";
            if (UNSUPPORTED_OPTIONS.contains(key)) {
                throw new JsPackException(optionAt + " is not supported for JavaScript nodes");
            }
            switch (key) {
                case "options" -> {
                    // Read above for V3-style COMBO.
                }
                case "default" -> b.defaultValue(typedDefault(resolved, value, optionAt));
                case "min", "max" -> bound(b, resolved, key, value, optionAt);
                default -> b.option(key, value);
            }
        }
        return b.build();
    }

    private static Object typedDefault(String type, Object value, String at) throws JsPackException {
        try {
            return JsTypes.toDeclared(type, value, at);
        } catch (IllegalArgumentException e) {
            throw new JsPackException(e.getMessage());
        }
    }

    private static void bound(InputSpec.Builder b, String type, String key, Object value, String at)
            throws JsPackException {
        boolean max = key.equals("max");
        if (InputSpec.INT.equals(type)) {
            BigInteger v = value instanceof Long l ? BigInteger.valueOf(l) : value instanceof BigInteger big ? big
                    : value instanceof Double d && d == Math.rint(d) && !d.isInfinite()
                    ? new java.math.BigDecimal(d).toBigInteger() : null;
            if (v == null || v.compareTo(BigInteger.valueOf(Long.MIN_VALUE)) < 0
                    || v.compareTo(InputSpec.UINT64_MAX) > 0) {
                throw new JsPackException(at + " must be an integer from -2^63 to 2^64-1, got " + JsTypes.describe(value));
            }
            if (max) {
                b.max(v);
            } else if (v.bitLength() < 64) {
                b.min(v.longValueExact());
            } else {
                throw new JsPackException(at + " must be at most 2^63-1, got " + v);
            }
        } else if (InputSpec.FLOAT.equals(type)) {
            if (!(value instanceof Number n)) {
                throw new JsPackException(at + " must be a number, got " + JsTypes.describe(value));
            }
            if (max) {
                b.max(n.doubleValue());
            } else {
                b.min(n.doubleValue());
            }
        } else {
            throw new JsPackException(at + " applies to INT and FLOAT inputs only");
        }
    }

    private static void readOutputs(NodeSchema.Builder b, Object outputs, String at) throws JsPackException {
        if (outputs == null) {
            return;
        }
        List<?> entries = list(outputs, at + ": \"outputs\"");
        for (int i = 0; i < entries.size(); i++) {
            String outAt = at + ", output " + i;
            Object e = entries.get(i);
            OutputSpec out;
            if (e instanceof String type) {
                out = OutputSpec.of(checkType(type, outAt));
            } else if (e instanceof List<?> pair && (pair.size() == 1 || pair.size() == 2)) {
                String type = checkType(stringOf(pair.get(0), outAt + ": the type"), outAt);
                out = pair.size() == 2 ? OutputSpec.of(type, stringOf(pair.get(1), outAt + ": the name"))
                        : OutputSpec.of(type);
            } else if (e instanceof Map<?, ?> m) {
                String type = checkType(stringOf(m.get("type"), outAt + ": \"type\""), outAt);
                out = OutputSpec.of(type, m.get("name") == null ? type : stringOf(m.get("name"), outAt + ": \"name\""));
                if (m.get("tooltip") != null) {
                    out = out.withTooltip(stringOf(m.get("tooltip"), outAt + ": \"tooltip\""));
                }
                if (Boolean.TRUE.equals(m.get("is_list"))) {
                    out = out.asList();
                }
            } else {
                throw new JsPackException(outAt + ": must be \"TYPE\", [\"TYPE\", \"name\"] or {type, name, tooltip, "
                        + "is_list}, got " + JsTypes.describe(e));
            }
            b.output(out);
        }
    }

    private static String checkType(String type, String at) throws JsPackException {
        if (type.isBlank() || !JsTypes.allowed(type)) {
            throw new JsPackException(at + ": type " + type + " cannot come from JavaScript (tensors and models stay "
                    + "on the Java side)");
        }
        return type;
    }

    private static boolean flag(Map<?, ?> def, String key, String at) throws JsPackException {
        Object v = def.get(key);
        if (v == null) {
            return false;
        }
        if (!(v instanceof Boolean b)) {
            throw new JsPackException(at + ": \"" + key + "\" must be true or false, got " + JsTypes.describe(v));
        }
        return b;
    }

    private static String text(Map<?, ?> def, String key, String fallback, String at) throws JsPackException {
        Object v = def.get(key);
        return v == null ? fallback : stringOf(v, at + ": \"" + key + "\"");
    }

    private static String stringOf(Object v, String what) throws JsPackException {
        if (!(v instanceof String s)) {
            throw new JsPackException(what + " must be text, got " + JsTypes.describe(v));
        }
        return s;
    }

    private static List<?> list(Object v, String what) throws JsPackException {
        if (!(v instanceof List<?> l)) {
            throw new JsPackException(what + " must be an array, got " + JsTypes.describe(v));
        }
        return l;
    }

    private static Map<?, ?> map(Object v, String what) throws JsPackException {
        if (!(v instanceof Map<?, ?> m)) {
            throw new JsPackException(what + " must be an object, got " + JsTypes.describe(v));
        }
        return m;
    }

    private static List<String> strings(List<?> values, String what) throws JsPackException {
        List<String> out = new ArrayList<>();
        for (Object v : values) {
            out.add(stringOf(v, what));
        }
        return out;
    }
}
