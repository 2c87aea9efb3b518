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
import dev.easel.server.JobRunner;
import dev.easel.server.events.EventHub;
import dev.easel.server.store.JobStore;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /prompt} (validate, then queue durably) and {@code GET /prompt} (queue_remaining), as ComfyUI answers
 * them (api-contract §2.2): validation errors come back in the 400, never through the WebSocket.
 */
public final class PromptRoutes {

    /** Credentials ComfyUI clients may put in {@code extra_data} for paid API nodes; Easel has none and keeps none. */
    private static final List<String> SENSITIVE_EXTRA_DATA = List.of("auth_token_comfy_org", "api_key_comfy_org");

    private final Engine engine;
    private final JobStore store;
    private final JobRunner runner;
    private final EventHub hub;
    private final ObjectMapper json;

    public PromptRoutes(Engine engine, JobStore store, JobRunner runner, EventHub hub, ObjectMapper json) {
        this.engine = engine;
        this.store = store;
        this.runner = runner;
        this.hub = hub;
        this.json = json;
    }

    public void get(Context ctx) {
        ctx.json(Map.of("exec_info", Map.of("queue_remaining", runner.queueRemaining())));
    }

    public void post(Context ctx) {
        JsonNode body;
        try {
            body = json.readTree(ctx.body());
        } catch (JsonProcessingException e) {
            ctx.status(400).json(ApiError.of("invalid_json", "The request body is not valid JSON",
                    e.getOriginalMessage()));
            return;
        }
        if (body == null || !body.isObject() || !body.has("prompt")) {
            ctx.status(400).json(ApiError.of("no_prompt", "No prompt provided", "No prompt provided"));
            return;
        }
        Workflow workflow;
        try {
            workflow = WorkflowParser.fromJson(body.get("prompt"));
        } catch (WorkflowParseException e) {
            ctx.status(400).json(ApiError.of("invalid_prompt", "Invalid prompt", e.getMessage()));
            return;
        }
        ValidationOptions options = ValidationOptions.STRICT;
        JsonNode partial = body.get("partial_execution_targets");
        if (partial != null && partial.isArray()) {
            List<String> targets = new ArrayList<>();
            partial.forEach(t -> targets.add(t.asText()));
            options = options.withPartialTargets(targets);
        }
        ValidationResult validation = engine.validate(workflow, options);
        if (!validation.isValid()) {
            ctx.status(400).json(validation.toJson());
            return;
        }
        String promptId = body.hasNonNull("prompt_id") ? body.get("prompt_id").asText() : UUID.randomUUID().toString();
        long number = body.hasNonNull("number") && body.get("number").isNumber()
                ? body.get("number").asLong() : store.nextNumber(body.path("front").asBoolean(false));
        String clientId = body.hasNonNull("client_id") ? body.get("client_id").asText() : null;
        ObjectNode extraData = body.get("extra_data") instanceof ObjectNode o ? o.deepCopy() : json.createObjectNode();
        if (clientId != null) {
            extraData.put("client_id", clientId);
        }
        SENSITIVE_EXTRA_DATA.forEach(extraData::remove); // never written to the store, the queue or the history
        long now = System.currentTimeMillis();
        extraData.put("create_time", now);
        try {
            store.enqueue(new JobStore.Job(promptId, number, json.writeValueAsString(body.get("prompt")),
                    json.writeValueAsString(extraData), clientId, validation.workflow().targets(), now));
        } catch (IllegalArgumentException e) {
            ctx.status(400).json(ApiError.of("duplicate_prompt_id", "A job with this prompt_id exists",
                    e.getMessage()));
            return;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        runner.wake();
        hub.broadcastStatus(runner.queueRemaining());
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("prompt_id", promptId);
        reply.put("number", number);
        reply.put("node_errors", Map.of());
        ctx.json(reply);
    }
}
