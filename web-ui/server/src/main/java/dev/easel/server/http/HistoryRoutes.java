package dev.easel.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.server.store.JobStore;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /history}: finished jobs as ComfyUI's {@code {prompt_id: entry}} object, oldest first. {@code max_items}
 * alone gives the newest N; {@code offset} counts from the oldest. Also per id, and POST clear/delete.
 */
public final class HistoryRoutes {

    private final JobStore store;
    private final ObjectMapper json;

    public HistoryRoutes(JobStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    public void list(Context ctx) throws JsonProcessingException {
        Integer max = intParam(ctx, "max_items");
        Integer offset = intParam(ctx, "offset");
        if (ctx.statusCode() == 400) {
            return;
        }
        int size = store.historySize();
        int from = offset != null ? offset : max != null ? Math.max(0, size - max) : 0;
        ctx.json(entries(store.history(from, max == null ? -1 : max)));
    }

    public void one(Context ctx) throws JsonProcessingException {
        ctx.json(entries(store.history(ctx.pathParam("prompt_id")).map(List::of).orElse(List.of())));
    }

    public void post(Context ctx) {
        Bodies.ClearOrDelete body = Bodies.clearOrDelete(ctx, json);
        if (body == null) {
            return;
        }
        if (body.clear()) {
            store.clearHistory();
        }
        if (!body.delete().isEmpty()) {
            store.deleteHistory(body.delete());
        }
        ctx.status(200);
    }

    private Map<String, Object> entries(List<JobStore.Finished> finished) throws JsonProcessingException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (JobStore.Finished f : finished) {
            out.put(f.job().promptId(), json.readTree(f.historyJson()));
        }
        return out;
    }

    private static Integer intParam(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        ctx.status(400).json(ApiError.of("invalid_query", "Bad query parameter", name + " must be a whole number ≥ 0"));
        return null;
    }
}
