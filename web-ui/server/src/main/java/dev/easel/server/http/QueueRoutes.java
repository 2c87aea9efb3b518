package dev.easel.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.server.JobRunner;
import dev.easel.server.events.EventHub;
import dev.easel.server.store.JobStore;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /queue} (GET: running and pending items as ComfyUI's positional arrays; POST: clear and/or delete pending
 * jobs) and {@code /interrupt} (the running job, or only the named one).
 */
public final class QueueRoutes {

    private final JobStore store;
    private final JobRunner runner;
    private final EventHub hub;
    private final ObjectMapper json;

    public QueueRoutes(JobStore store, JobRunner runner, EventHub hub, ObjectMapper json) {
        this.store = store;
        this.runner = runner;
        this.hub = hub;
        this.json = json;
    }

    public void get(Context ctx) throws JsonProcessingException {
        List<Object> running = new ArrayList<>();
        if (store.running().isPresent()) {
            running.add(item(store.running().get()));
        }
        List<Object> pending = new ArrayList<>();
        for (JobStore.Job job : store.pending()) {
            pending.add(item(job));
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("queue_running", running);
        reply.put("queue_pending", pending);
        ctx.json(reply);
    }

    /** {@code [number, prompt_id, prompt, extra_data, outputs_to_execute]}. */
    private List<Object> item(JobStore.Job job) throws JsonProcessingException {
        return List.of(job.number(), job.promptId(), json.readTree(job.promptJson()),
                json.readTree(job.extraDataJson()), job.outputsToExecute());
    }

    public void post(Context ctx) {
        Bodies.ClearOrDelete body = Bodies.clearOrDelete(ctx, json);
        if (body == null) {
            return;
        }
        if (body.clear()) {
            store.clearPending();
        }
        body.delete().forEach(store::deletePending);
        hub.broadcastStatus(runner.queueRemaining());
        ctx.status(200);
    }

    public void interrupt(Context ctx) {
        String promptId = null;
        if (!ctx.body().isBlank()) {
            JsonNode body = Bodies.object(ctx, json);
            if (body == null) {
                return;
            }
            JsonNode id = body.get("prompt_id");
            promptId = id == null || id.isNull() ? null : Bodies.id(id);
            if (promptId == null && id != null && !id.isNull()) {
                Bodies.invalid(ctx, "prompt_id", "a string", id);
                return;
            }
        }
        runner.interrupt(promptId);
        ctx.status(200);
    }
}
