package dev.easel.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.node.ModelLibrary;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model files (api-contract §2.1, §9): {@code /models} (the folder types), {@code /models/{folder}} (relative
 * names), {@code /embeddings} (names without extension) and {@code /view_metadata/{folder}?filename=} (a safetensors
 * file's {@code __metadata__}). The legacy folder names {@code clip} and {@code unet} are accepted for
 * {@code text_encoders} and {@code diffusion_models}. Unknown folders and files get 404 {@code {"error": ...}}.
 */
public final class ModelRoutes {

    /** ComfyUI's legacy folder type names and what they are called now. */
    private static final Map<String, String> LEGACY_NAMES = Map.of("clip", "text_encoders", "unet",
            "diffusion_models");

    private final ModelLibrary models;
    private final ObjectMapper json;

    public ModelRoutes(ModelLibrary models, ObjectMapper json) {
        this.models = models;
        this.json = json;
    }

    public void folderTypes(Context ctx) {
        ctx.json(new ArrayList<>(models.folderTypes()));
    }

    public void list(Context ctx) {
        Optional<String> type = folderType(ctx.pathParam("folder"));
        if (type.isEmpty()) {
            notFound(ctx, "unknown model folder '" + ctx.pathParam("folder") + "'");
            return;
        }
        ctx.json(models.list(type.get()));
    }

    public void embeddings(Context ctx) {
        List<String> names = new ArrayList<>();
        folderType("embeddings").ifPresent(type -> models.list(type).forEach(name -> names.add(withoutExtension(name))));
        ctx.json(names);
    }

    public void metadata(Context ctx) {
        String folder = ctx.pathParam("folder");
        Optional<String> type = folderType(folder);
        if (type.isEmpty()) {
            notFound(ctx, "unknown model folder '" + folder + "'");
            return;
        }
        String filename = ctx.queryParam("filename");
        if (filename == null || !filename.endsWith(".safetensors")) {
            notFound(ctx, "filename must name a .safetensors file");
            return;
        }
        Path file;
        try {
            file = models.resolve(type.get(), filename);
        } catch (IOException | IllegalArgumentException e) {
            notFound(ctx, "no model '" + filename + "' in " + type.get());
            return;
        }
        Optional<JsonNode> metadata;
        try {
            metadata = SafetensorsMetadata.read(file, json);
        } catch (IOException e) {
            notFound(ctx, e.getMessage());
            return;
        }
        if (metadata.isEmpty()) {
            notFound(ctx, filename + " has no __metadata__");
            return;
        }
        ctx.json(metadata.get());
    }

    /** The folder type {@code name} means, its legacy alias mapped; empty when the library has no such type. */
    private Optional<String> folderType(String name) {
        var types = models.folderTypes();
        if (types.contains(name)) {
            return Optional.of(name);
        }
        String current = LEGACY_NAMES.get(name);
        return current != null && types.contains(current) ? Optional.of(current) : Optional.empty();
    }

    private static void notFound(Context ctx, String message) {
        ctx.status(404).json(Map.of("error", message));
    }

    /** Python's {@code os.path.splitext(name)[0]}: up to the last dot of the last segment, leading dots ignored. */
    static String withoutExtension(String name) {
        int segment = name.lastIndexOf('/') + 1;
        int firstNonDot = segment;
        while (firstNonDot < name.length() && name.charAt(firstNonDot) == '.') {
            firstNonDot++;
        }
        int dot = name.lastIndexOf('.');
        return dot > firstNonDot ? name.substring(0, dot) : name;
    }
}
