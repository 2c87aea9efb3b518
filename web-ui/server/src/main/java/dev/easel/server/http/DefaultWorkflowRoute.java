package dev.easel.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code GET /api/workflow/default}: the default text-to-image workflow in API format (the distribution's
 * {@code workflows/text-to-image.json}), which the editor opens the first time; 204 (no content) when the server has
 * none, which is a normal state, not an error. The file is read on each request, so an edited default shows on the next
 * first visit.
 */
public final class DefaultWorkflowRoute {

    private final ObjectMapper json;
    private volatile Path file;

    public DefaultWorkflowRoute(ObjectMapper json) {
        this.json = json;
    }

    /** Serves {@code workflow} from now on (null: none). */
    public void use(Path workflow) {
        this.file = workflow;
    }

    public void get(Context ctx) {
        Path current = file;
        if (current == null || !Files.isRegularFile(current)) {
            ctx.status(204);
            return;
        }
        try {
            JsonNode workflow = json.readTree(current.toFile());
            ctx.json(workflow);
        } catch (IOException e) {
            ctx.status(500).json(Map.of("error", "cannot read the default workflow " + current.getFileName() + ": "
                    + e.getMessage()));
        }
    }
}
