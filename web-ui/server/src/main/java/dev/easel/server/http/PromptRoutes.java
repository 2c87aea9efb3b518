package dev.easel.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
import dev.easel.engine.workflow.Workflow;
import dev.easel.engine.workflow.WorkflowParseException;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.engine.workflow.ui.UiWorkflowConverter;
import dev.easel.server.JobRunner;
import dev.easel.server.events.EventHub;
import dev.easel.server.store.JobStore;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /prompt} (validate, then queue durably) and {@code GET /prompt} (queue_remaining), as ComfyUI answers
 * them (api-contract §2.2): validation errors come back in the 400, never through the WebSocket. A {@code prompt} in
 * the UI format (what the editor saves) is converted to the API format first ({@link WorkflowConvertRoutes}).
 */
public final class PromptRoutes {

    /** Credentials ComfyUI clients may put in {@code extra_data} for paid API nodes; Easel has none and keeps none. */
    private static final List<String> SENSITIVE_EXTRA_DATA = List.of("auth_token_comfy_org", "api_key_comfy_org");

    private final Engine engine;
    private final JobStore store;
    private final JobRunner runner;
    private final EventHub hub;
    private final ObjectMapper json;
    private final WorkflowConvertRoutes uiWorkflows;

    public PromptRoutes(Engine engine, JobStore store, JobRunner runner, EventHub hub, ObjectMapper json) {
        this.engine = engine;
        this.store = store;
        this.runner = runner;
        this.hub = hub;
        this.json = json;
        this.uiWorkflows = new WorkflowConvertRoutes(engine.registry(), json);
    }

    public void get(Context ctx) {
        ctx.json(Map.of("exec_info", Map.of("queue_remaining", runner.queueRemaining())));
    }

    /**
     * Known fields of the wrong type are a 400 naming the field. Unknown top-level fields are ignored, as ComfyUI
     * ignores them: the frontend has added fields over its versions ({@code partial_execution_targets},
     * {@code prompt_id}) and third-party clients send their own, so a 400 would break working clients for no
     * safety gain (nothing reads them). The small bodies of {@code /queue} and {@code /history} are strict instead.
     */
    public void post(Context ctx) {
        JsonNode body = Bodies.parse(ctx, json);
        if (body == null) {
            return;
        }
        if (!body.isObject() || !body.has("prompt")) {
            ctx.status(400).json(ApiError.of("no_prompt", "No prompt provided",
                    body.isObject() ? "No prompt provided" : "the body must be a JSON object with a prompt, got "
                            + Bodies.kind(body)));
            return;
        }
        Fields fields = fields(ctx, body);
        if (fields == null) {
            return;
        }
        JsonNode prompt = body.get("prompt");
        JsonNode uiWorkflow = null;
        if (UiWorkflowConverter.isUiWorkflow(prompt)) { // what the editor saves; ComfyUI only converts in the browser
            uiWorkflow = prompt;
            prompt = uiWorkflows.toApiPrompt(ctx, uiWorkflow);
            if (prompt == null) {
                return;
            }
        }
        Workflow workflow;
        try {
            workflow = WorkflowParser.fromJson(prompt);
        } catch (WorkflowParseException e) {
            ctx.status(400).json(ApiError.of("invalid_prompt", "Invalid prompt", e.getMessage()));
            return;
        }
        ValidationOptions options = ValidationOptions.STRICT;
        if (fields.partialTargets() != null) {
            options = options.withPartialTargets(fields.partialTargets());
        }
        ValidationResult validation = engine.validate(workflow, options);
        if (!validation.isValid()) {
            ctx.status(400).json(validation.toJson());
            return;
        }
        String promptId = fields.promptId() != null ? fields.promptId() : UUID.randomUUID().toString();
        String clientId = fields.clientId();
        ObjectNode extraData = fields.extraData() != null ? fields.extraData().deepCopy() : json.createObjectNode();
        if (clientId != null) {
            extraData.put("client_id", clientId);
        }
        if (uiWorkflow != null && !extraData.path("extra_pnginfo").has("workflow")) {
            embedWorkflow(extraData, uiWorkflow); // so saved PNGs carry the workflow, as the editor arranges
        }
        SENSITIVE_EXTRA_DATA.forEach(extraData::remove); // never written to the store, the queue or the history
        long now = System.currentTimeMillis();
        extraData.put("create_time", now);
        String promptJson;
        long number;
        try {
            promptJson = json.writeValueAsString(prompt);
            JobStore.Job job = new JobStore.Job(promptId, fields.number() != null ? fields.number() : 0, promptJson,
                    json.writeValueAsString(extraData), clientId, validation.workflow().targets(), now);
            if (fields.number() != null) {
                store.enqueue(job);
            } else {
                job = store.enqueueNumbered(job, fields.front()); // number and insert in one commit
            }
            number = job.number();
        } catch (IllegalArgumentException e) {
            ctx.status(400).json(ApiError.of("duplicate_prompt_id", "A job with this prompt_id exists",
                    e.getMessage()));
            return;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // Only now that the job is stored under this id (a duplicate id must not replace another job's workflow).
        runner.prepared(promptId, promptJson, validation.workflow(), extraDataMap(extraData));
        runner.wake();
        hub.broadcastStatus(runner.queueRemaining());
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("prompt_id", promptId);
        reply.put("number", number);
        reply.put("node_errors", Map.of());
        ctx.json(reply);
    }

    /** The optional fields of a POST /prompt, type-checked; null members were absent (or JSON null). */
    private record Fields(String promptId, Long number, boolean front, String clientId, ObjectNode extraData,
            List<String> partialTargets) {
    }

    /** Reads the optional fields, or answers 400 naming the first of the wrong type and returns null. */
    private static Fields fields(Context ctx, JsonNode body) {
        JsonNode id = body.get("prompt_id");
        String promptId = null;
        if (id != null && !id.isNull()) {
            promptId = Bodies.id(id);
            if (promptId == null || promptId.isBlank()) {
                return Bodies.invalid(ctx, "prompt_id", "a non-empty string", id);
            }
        }
        JsonNode numberField = body.get("number");
        Long number = null;
        if (numberField != null && !numberField.isNull()) {
            // ComfyUI takes float(number), so a numeric string works there too.
            Double value = numberField.isNumber() ? Double.valueOf(numberField.asDouble())
                    : numberField.isTextual() ? parseDouble(numberField.asText()) : null;
            if (value == null || value.isNaN() || value.isInfinite()) {
                return Bodies.invalid(ctx, "number", "a number", numberField);
            }
            number = numberField.isIntegralNumber() && numberField.canConvertToLong() ? numberField.asLong()
                    : value.longValue();
        }
        JsonNode front = body.get("front");
        if (front != null && !front.isNull() && !front.isBoolean()) {
            return Bodies.invalid(ctx, "front", "true or false", front);
        }
        JsonNode client = body.get("client_id");
        String clientId = null;
        if (client != null && !client.isNull()) {
            clientId = Bodies.id(client);
            if (clientId == null) {
                return Bodies.invalid(ctx, "client_id", "a string", client);
            }
        }
        JsonNode extra = body.get("extra_data");
        if (extra != null && !extra.isNull() && !extra.isObject()) {
            return Bodies.invalid(ctx, "extra_data", "a JSON object", extra);
        }
        List<String> targets = null;
        if (body.hasNonNull("partial_execution_targets")) {
            targets = Bodies.idList(ctx, body, "partial_execution_targets");
            if (targets == null) {
                return null;
            }
        }
        return new Fields(promptId, number, front != null && front.asBoolean(), clientId,
                extra instanceof ObjectNode o ? o : null, targets);
    }

    /** Puts the UI workflow at {@code extra_pnginfo.workflow}, keeping other extra_pnginfo keys. */
    private static void embedWorkflow(ObjectNode extraData, JsonNode uiWorkflow) {
        JsonNode pngInfo = extraData.get("extra_pnginfo");
        ObjectNode target = pngInfo instanceof ObjectNode o ? o : extraData.putObject("extra_pnginfo");
        target.set("workflow", uiWorkflow);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> extraDataMap(ObjectNode extraData) {
        return (Map<String, Object>) WorkflowParser.toJava(extraData);
    }

    private static Double parseDouble(String text) {
        try {
            return Double.valueOf(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
