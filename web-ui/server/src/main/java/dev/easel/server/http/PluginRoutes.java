package dev.easel.server.http;

import dev.easel.engine.plugins.PackInfo;
import dev.easel.engine.plugins.PluginHost;
import dev.easel.server.BetweenJobs;
import dev.easel.server.JobRunner;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Node packs loaded as plugins: {@code GET /api/plugins} lists them (id, version, state, reason, nodes, problems);
 * {@code POST /api/plugins/{id}/enable|disable|reload} changes one. Changes run between jobs, so a running job keeps
 * the nodes it was validated with; the reply waits for the change, or says 202 "pending" when a long job still runs.
 * Unknown ids are 404, a reload of a disabled pack is 409, each with {@code {"error": ...}}.
 */
public final class PluginRoutes {

    /** How long a request waits for the running job before answering 202. */
    static final long WAIT_SECONDS = 30;

    private final PluginHost host;
    private final BetweenJobs betweenJobs;
    private final JobRunner runner;

    /** @param host the plugin host, or null when this server loads no plugins */
    public PluginRoutes(PluginHost host, BetweenJobs betweenJobs, JobRunner runner) {
        this.host = host;
        this.betweenJobs = betweenJobs;
        this.runner = runner;
    }

    public void list(Context ctx) {
        List<Map<String, Object>> packs = host == null ? List.of()
                : host.list().stream().map(PackInfo::toJson).toList();
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("plugins", packs);
        reply.put("load_ms", host == null ? 0 : host.lastLoadNanos() / 1_000_000.0);
        ctx.json(reply);
    }

    public void enable(Context ctx) {
        change(ctx, id -> host.enable(id));
    }

    public void disable(Context ctx) {
        change(ctx, id -> host.disable(id));
    }

    public void reload(Context ctx) {
        change(ctx, id -> host.reload(id));
    }

    private void change(Context ctx, Function<String, PackInfo> action) {
        String id = ctx.pathParam("id");
        if (host == null || host.find(id).isEmpty()) {
            ctx.status(404).json(Map.of("error", "no node pack '" + id + "'"));
            return;
        }
        CompletableFuture<PackInfo> done = betweenJobs.submit(() -> action.apply(id));
        runner.wake();
        try {
            ctx.json(done.get(WAIT_SECONDS, TimeUnit.SECONDS).toJson());
        } catch (TimeoutException e) {
            ctx.status(202).json(Map.of("status", "pending",
                    "message", "the change to '" + id + "' is applied when the running job ends"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            int status = cause instanceof NoSuchElementException ? 404
                    : cause instanceof IllegalStateException ? 409 : 500;
            ctx.status(status).json(Map.of("error", String.valueOf(cause.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ctx.status(503).json(Map.of("error", "interrupted while waiting for the change"));
        }
    }
}
