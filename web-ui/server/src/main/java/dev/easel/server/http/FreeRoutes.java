package dev.easel.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.server.JobRunner;
import dev.easel.server.MemoryRequests;
import io.javalin.http.Context;

/**
 * {@code POST /free {"unload_models": bool, "free_memory": bool}} (api-contract §2.5): recorded at once, applied by
 * the runner after the running job (or right away when none runs). {@code unload_models} defaults to
 * {@code free_memory}'s value.
 */
public final class FreeRoutes {

    private final MemoryRequests requests;
    private final JobRunner runner;
    private final ObjectMapper json;

    public FreeRoutes(MemoryRequests requests, JobRunner runner, ObjectMapper json) {
        this.requests = requests;
        this.runner = runner;
        this.json = json;
    }

    public void free(Context ctx) {
        JsonNode body = Bodies.object(ctx, json);
        if (body == null) {
            return;
        }
        boolean free = body.path("free_memory").asBoolean(false);
        boolean unload = body.has("unload_models") ? body.get("unload_models").asBoolean(false) : free;
        requests.request(unload, free);
        runner.wake();
        ctx.status(200);
    }
}
