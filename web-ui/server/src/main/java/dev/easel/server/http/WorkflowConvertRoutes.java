package dev.easel.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.workflow.ui.UiWorkflowConverter;
import dev.easel.engine.workflow.ui.UiWorkflowException;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * UI-format workflows (what ComfyUI's editor saves) on the server: {@code POST /api/workflow/convert} answers
 * {@code {"prompt": <API prompt>}}, and {@code POST /prompt} converts a UI-format {@code prompt} the same way before
 * validating it. A workflow that cannot be converted is a 400 in ComfyUI's error shape naming the node.
 */
public final class WorkflowConvertRoutes {

    private final NodeRegistry registry;
    private final ObjectMapper json;

    public WorkflowConvertRoutes(NodeRegistry registry, ObjectMapper json) {
        this.registry = registry;
        this.json = json;
    }

    public void convert(Context ctx) {
        JsonNode body = Bodies.parse(ctx, json);
        if (body == null) {
            return;
        }
        if (!UiWorkflowConverter.isUiWorkflow(body)) {
            ctx.status(400).json(ApiError.of(UiWorkflowException.INVALID_WORKFLOW, "Not a UI-format workflow",
                    "the body must be a UI-format workflow (a JSON object with nodes and links arrays), got "
                            + Bodies.kind(body)));
            return;
        }
        ObjectNode prompt = toApiPrompt(ctx, body);
        if (prompt != null) {
            ctx.json(Map.of("prompt", prompt));
        }
    }

    /** The API prompt of {@code uiWorkflow}, or null after answering 400. */
    ObjectNode toApiPrompt(Context ctx, JsonNode uiWorkflow) {
        try {
            return new UiWorkflowConverter(registry).toApiPrompt(uiWorkflow);
        } catch (UiWorkflowException e) {
            ctx.status(400).json(errorBody(e));
            return null;
        }
    }

    /** {@code {"error": {...}, "node_errors": {...}}}; the node is listed in node_errors so editors can mark it. */
    static Map<String, Object> errorBody(UiWorkflowException e) {
        boolean missingType = UiWorkflowException.MISSING_NODE_TYPE.equals(e.errorType());
        String message = missingType
                ? "Node '" + e.nodeType() + "' not found. The node pack that provides it may not be installed."
                : "The UI-format workflow cannot be converted";
        Map<String, Object> extraInfo = new LinkedHashMap<>();
        if (e.nodeId() != null) {
            extraInfo.put("node_id", e.nodeId());
            extraInfo.put("class_type", e.nodeType());
        }
        if (e.inputName() != null) {
            extraInfo.put("input_name", e.inputName());
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("type", e.errorType());
        error.put("message", message);
        error.put("details", e.getMessage());
        error.put("extra_info", extraInfo);
        Map<String, Object> nodeErrors = new LinkedHashMap<>();
        if (e.nodeId() != null && !missingType) { // ComfyUI reports missing types at the top level only
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("class_type", e.nodeType());
            entry.put("dependent_outputs", List.of());
            entry.put("errors", List.of(error));
            nodeErrors.put(e.nodeId(), entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("node_errors", nodeErrors);
        return body;
    }
}
