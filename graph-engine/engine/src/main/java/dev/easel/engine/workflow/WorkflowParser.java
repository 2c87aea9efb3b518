package dev.easel.engine.workflow;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads ComfyUI's API workflow format (api-contract §4.1): string node ids, links {@code [id, slot]},
 * {@code {"__value__": [...]}} list literals, {@code _meta} (title only). Shape problems inside a node are kept for
 * the validator to report in ComfyUI's error format; only JSON that is not an object of objects is rejected here.
 */
public final class WorkflowParser {

    /** Big prompts may inline long strings (base64 images); raise Jackson's 20M-char default. */
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build());

    private WorkflowParser() {
    }

    public static Workflow parse(String json) throws WorkflowParseException {
        try {
            return fromJson(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new WorkflowParseException("not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static Workflow parse(InputStream json) throws WorkflowParseException, IOException {
        try {
            return fromJson(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new WorkflowParseException("not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a workflow from an already parsed JSON tree (the {@code prompt} field of a request). */
    public static Workflow fromJson(JsonNode root) throws WorkflowParseException {
        if (root == null || !root.isObject()) {
            throw new WorkflowParseException("a workflow must be a JSON object of nodes keyed by node id");
        }
        Map<String, WorkflowNode> nodes = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            nodes.put(e.getKey(), readNode(e.getKey(), e.getValue()));
        }
        return new Workflow(nodes);
    }

    private static WorkflowNode readNode(String id, JsonNode json) throws WorkflowParseException {
        if (!json.isObject()) {
            throw new WorkflowParseException("node '" + id + "' must be a JSON object with class_type and inputs");
        }
        JsonNode classNode = json.get("class_type");
        String classType = classNode != null && classNode.isTextual() ? classNode.asText() : null;
        JsonNode meta = json.get("_meta");
        String title = meta != null && meta.hasNonNull("title") ? meta.get("title").asText() : null;
        Map<String, InputValue> inputs = new LinkedHashMap<>();
        JsonNode inputsJson = json.get("inputs");
        if (inputsJson != null && !inputsJson.isNull()) {
            if (!inputsJson.isObject()) {
                throw new WorkflowParseException("node '" + id + "': inputs must be a JSON object");
            }
            Iterator<Map.Entry<String, JsonNode>> it = inputsJson.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                inputs.put(e.getKey(), readInput(e.getValue()));
            }
        }
        return new WorkflowNode(id, classType, inputs, title);
    }

    /** One input value; the link test of the contract: a list of two whose first item is a string and second a number. */
    public static InputValue readInput(JsonNode value) {
        if (value.isArray()) {
            if (value.size() == 2 && value.get(0).isTextual() && value.get(1).isNumber()) {
                return new InputValue.Link(value.get(0).asText(), value.get(1).asInt());
            }
            return new InputValue.BadLink(toList(value));
        }
        if (value.isObject() && value.size() == 1 && value.has("__value__")) {
            JsonNode wrapped = value.get("__value__");
            return new InputValue.Literal(wrapped.isArray() ? toList(wrapped) : toJava(wrapped));
        }
        return new InputValue.Literal(toJava(value));
    }

    /** Converts JSON to plain Java values: maps, lists, strings, booleans, Long/BigInteger/Double, null. */
    public static Object toJava(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.asLong() : n.bigIntegerValue();
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isArray()) {
            return toList(n);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> map.put(e.getKey(), toJava(e.getValue())));
        return map;
    }

    private static List<Object> toList(JsonNode array) {
        List<Object> list = new ArrayList<>(array.size());
        array.forEach(item -> list.add(toJava(item)));
        return list;
    }

    /** The shared mapper (numbers as Long/BigInteger/Double, no string-length limit). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
