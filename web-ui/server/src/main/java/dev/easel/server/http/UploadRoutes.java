package dev.easel.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.server.files.ConfinedFolder;
import dev.easel.server.files.FileAccessException;
import dev.easel.server.files.FolderType;
import dev.easel.server.files.UniqueFileWriter;
import dev.easel.server.files.UniqueFileWriter.Saved;
import dev.easel.server.images.ImageConversions;
import dev.easel.server.images.PngTextChunks;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /upload/image} and {@code POST /upload/mask} (multipart): save an image, or an original image with a
 * mask's alpha, into the input (or temp, output) folder, confined there like {@code /view}, written atomically and
 * deduplicated by content. Answers {@code {"name", "subfolder", "type"}}.
 */
public final class UploadRoutes {

    private final ViewRoutes folders;
    private final ObjectMapper json;
    private final long maxBodyBytes;

    /**
     * @param folders      where the confined folders come from (the same ones {@code /view} reads)
     * @param maxBodyBytes larger requests are refused with 413
     */
    public UploadRoutes(ViewRoutes folders, ObjectMapper json, long maxBodyBytes) {
        this.folders = folders;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
    }

    public void image(Context ctx) {
        upload(ctx, false);
    }

    public void mask(Context ctx) {
        upload(ctx, true);
    }

    private void upload(Context ctx, boolean mask) {
        try {
            MultipartForm form = MultipartForm.read(ctx, "image", maxBodyBytes);
            UploadedFile image = form.file();
            String filename = image.filename();
            FolderType type = FolderType.parse("type", form.field("type"), FolderType.INPUT);
            String subfolder = form.field("subfolder") == null ? "" : form.field("subfolder");
            String overwrite = form.field("overwrite");
            boolean replace = "true".equals(overwrite) || "1".equals(overwrite);
            ConfinedFolder folder = folders.folder(type);
            // check the name and the folder before reading anything big
            ConfinedFolder.checkName("image filename", filename);
            byte[] composed = mask ? withMask(form.field("original_ref"), image, filename) : null;
            Path dir = folder.writableFolder("subfolder", subfolder);
            Saved saved;
            try (InputStream content = composed != null ? new ByteArrayInputStream(composed) : image.content()) {
                saved = UniqueFileWriter.save(dir, filename, replace, content);
            }
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("name", saved.name());
            reply.put("subfolder", subfolder);
            reply.put("type", type.wireName());
            ctx.json(reply);
        } catch (FileAccessException e) {
            FileErrors.answer(ctx, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The original named by {@code original_ref} with the uploaded mask's alpha, as PNG bytes with its text. */
    private byte[] withMask(String ref, UploadedFile maskPart, String maskName) throws IOException {
        if (ref == null || ref.isBlank()) {
            throw new FileAccessException(400, "original_ref is required for /upload/mask");
        }
        JsonNode node;
        try {
            node = json.readTree(ref);
        } catch (IOException e) {
            throw new FileAccessException(400, "original_ref is not valid JSON");
        }
        if (node == null || !node.isObject() || !node.path("filename").isTextual()) {
            throw new FileAccessException(400, "original_ref must be a JSON object with a string filename");
        }
        for (String key : List.of("subfolder", "type")) {
            if (node.has(key) && !node.get(key).isTextual() && !node.get(key).isNull()) {
                throw new FileAccessException(400, "original_ref." + key + " must be a string");
            }
        }
        FolderType.Annotated annotated = FolderType.Annotated.parse(node.get("filename").asText());
        FolderType type = annotated.type() != null ? annotated.type()
                : FolderType.parse("original_ref.type", node.path("type").asText(null), FolderType.OUTPUT);
        Path original = folders.folder(type).existingFile("original_ref.subfolder",
                node.path("subfolder").asText(""), "original_ref.filename", annotated.name());
        BufferedImage pixels = ImageConversions.read(original, "original_ref.filename '" + annotated.name() + "'");
        BufferedImage maskPixels;
        try (InputStream in = maskPart.content()) {
            maskPixels = ImageConversions.read(in, "the uploaded mask '" + maskName + "'");
        }
        return ImageConversions.png(ImageConversions.replaceAlpha(pixels, maskPixels),
                PngTextChunks.read(original)).bytes();
    }
}
