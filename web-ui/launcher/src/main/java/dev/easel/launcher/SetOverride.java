package dev.easel.launcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.easel.engine.workflow.InputValue;
import dev.easel.engine.workflow.Workflow;
import dev.easel.engine.workflow.WorkflowParser;
import java.util.List;

/**
 * One {@code --set NODE.INPUT=VALUE} of {@code easel run}. Node ids may contain dots ({@code 7.0.0.1}) and input names
 * cannot, so the key is split at its last dot. VALUE is read as JSON when it parses ({@code 5}, {@code true},
 * {@code ["4", 0]} (a link), {@code {"__value__": [1, 2]}}) and taken as a plain string otherwise.
 *
 * @param nodeId    the node to change
 * @param inputName its input
 * @param value     the new value, with the API format's meaning (a {@code [id, slot]} pair is a link)
 */
record SetOverride(String nodeId, String inputName, InputValue value) {

    private static final ObjectReader STRICT_JSON = WorkflowParser.mapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Parses {@code NODE.INPUT=VALUE}. */
    static SetOverride parse(String text) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("--set " + text + ": expected NODE.INPUT=VALUE");
        }
        String key = text.substring(0, eq);
        int dot = key.lastIndexOf('.');
        if (dot <= 0 || dot == key.length() - 1) {
            throw new IllegalArgumentException("--set " + text
                    + ": expected NODE.INPUT=VALUE, for example --set 3.seed=42");
        }
        return new SetOverride(key.substring(0, dot), key.substring(dot + 1), readValue(text.substring(eq + 1)));
    }

    /** The value as JSON if it parses, else as a string; read with the workflow parser's rules. */
    static InputValue readValue(String raw) {
        JsonNode json;
        try {
            json = STRICT_JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            json = null;
        }
        if (json == null || json.isMissingNode()) {
            json = JsonNodeFactory.instance.textNode(raw);
        }
        return WorkflowParser.readInput(json);
    }

    /** The workflow with this input replaced; a clear error when the node does not exist. */
    Workflow applyTo(Workflow workflow) {
        if (!workflow.contains(nodeId)) {
            List<String> ids = List.copyOf(workflow.ids());
            throw new IllegalArgumentException("--set " + nodeId + "." + inputName + ": the workflow has no node '"
                    + nodeId + "' (its nodes are " + (ids.size() <= 30 ? String.join(", ", ids)
                    : String.join(", ", ids.subList(0, 30)) + ", …") + ")");
        }
        return workflow.withInput(nodeId, inputName, value);
    }
}
