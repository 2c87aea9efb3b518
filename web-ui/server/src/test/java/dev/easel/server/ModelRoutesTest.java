package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeEnvironment;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodePack;
import dev.easel.node.NodeSchema;
import dev.easel.server.http.InfoRoutes;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model routes over real folders: {@code /models}, {@code /models/{folder}} (with the legacy names),
 * {@code /embeddings}, {@code /view_metadata/{folder}} reading safetensors headers the test writes, and
 * {@code /object_info} following the model and input folders after start.
 */
class ModelRoutesTest {

    @TempDir
    Path dir;
    private Path models;
    private TestServer server;

    @BeforeEach
    void start() throws IOException {
        models = dir.resolve("models");
        write(models.resolve("checkpoints/a.safetensors"), "x");
        write(models.resolve("checkpoints/sub/dir/b.ckpt"), "x");
        write(models.resolve("text_encoders/clip_l.safetensors"), "x");
        write(models.resolve("diffusion_models/flux.safetensors"), "x");
        write(models.resolve("embeddings/easy.pt"), "x");
        write(models.resolve("embeddings/sub/bad.hands.safetensors"), "x");
        write(models.resolve("embeddings/.hidden"), "x");
        FolderModels library = new FolderModels(models, "checkpoints", "loras", "text_encoders", "diffusion_models",
                "embeddings");
        server = TestServer.start(dir.resolve("server"), library, MemoryControl.NONE, new ModelTestNodes());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void listsFolderTypesAndModelsWithLegacyNames() throws Exception {
        for (String prefix : List.of("", "/api")) {
            assertEquals(List.of("checkpoints", "loras", "text_encoders", "diffusion_models", "embeddings"),
                    strings(json(prefix + "/models")));
            assertEquals(List.of("a.safetensors", "sub/dir/b.ckpt"), strings(json(prefix + "/models/checkpoints")));
            assertEquals(List.of(), strings(json(prefix + "/models/loras")));
        }
        assertEquals(List.of("clip_l.safetensors"), strings(json("/models/clip")));
        assertEquals(List.of("flux.safetensors"), strings(json("/models/unet")));
        HttpResponse<String> unknown = server.get("/models/nope");
        assertEquals(404, unknown.statusCode());
        assertTrue(TestServer.JSON.readTree(unknown.body()).get("error").asText().contains("nope"));
    }

    @Test
    void embeddingsHaveNoExtension() throws Exception {
        assertEquals(List.of(".hidden", "easy", "sub/bad.hands"), strings(json("/embeddings")));
        assertEquals(List.of(".hidden", "easy", "sub/bad.hands"), strings(json("/api/embeddings")));
    }

    @Test
    void viewMetadataReadsTheSafetensorsHeader() throws Exception {
        safetensors(models.resolve("loras/style.safetensors"),
                "{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                        + " \"__metadata__\": {\"ss_network_dim\": \"16\", \"format\": \"pt\"}}");
        safetensors(models.resolve("loras/sub/bare.safetensors"),
                "{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}");
        safetensors(models.resolve("text_encoders/te.safetensors"), "{\"__metadata__\": {\"kind\": \"te\"}}");
        safetensors(dir.resolve("outside.safetensors"), "{\"__metadata__\": {\"secret\": \"yes\"}}");
        JsonNode meta = json("/view_metadata/loras?filename=style.safetensors");
        assertEquals("16", meta.get("ss_network_dim").asText());
        assertEquals("pt", meta.get("format").asText());
        assertEquals(2, meta.size());
        assertEquals("te", json("/api/view_metadata/clip?filename=te.safetensors").get("kind").asText());

        notFound("/view_metadata/loras?filename=sub/bare.safetensors"); // no __metadata__
        notFound("/view_metadata/loras?filename=missing.safetensors");
        notFound("/view_metadata/nope?filename=style.safetensors");
        notFound("/view_metadata/loras"); // no filename
        notFound("/view_metadata/loras?filename=" + enc("../../outside.safetensors"));
        notFound("/view_metadata/loras?filename=" + enc(dir.resolve("outside.safetensors").toString()));

        write(models.resolve("loras/notes.txt"), "{}");
        notFound("/view_metadata/loras?filename=notes.txt"); // only .safetensors files
        write(models.resolve("loras/short.safetensors"), "abc"); // shorter than the length field
        notFound("/view_metadata/loras?filename=short.safetensors");
        Path huge = models.resolve("loras/huge.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array());
        notFound("/view_metadata/loras?filename=huge.safetensors"); // a length beyond the file: refused unread
        safetensors(models.resolve("loras/broken.safetensors"), "{\"__metadata__\": {\"a\": ");
        notFound("/view_metadata/loras?filename=broken.safetensors");
        safetensors(models.resolve("loras/array.safetensors"), "[1, 2]");
        notFound("/view_metadata/loras?filename=array.safetensors");
    }

    @Test
    void objectInfoFollowsModelAndInputFoldersAndKeepsItsEtag() throws Exception {
        HttpResponse<String> first = server.get("/object_info");
        String tag = first.headers().firstValue("ETag").orElseThrow();
        assertEquals(List.of("a.safetensors", "sub/dir/b.ckpt"), checkpointOptions(first));
        assertEquals(304, getWithTag("/object_info", tag).statusCode());

        write(models.resolve("checkpoints/sub/new.safetensors"), "x");
        HttpResponse<String> updated = awaitObjectInfo(r -> checkpointOptions(r).contains("sub/new.safetensors"));
        assertEquals(List.of("a.safetensors", "sub/dir/b.ckpt", "sub/new.safetensors"), checkpointOptions(updated));
        String newTag = updated.headers().firstValue("ETag").orElseThrow();
        assertNotEquals(tag, newTag);
        assertEquals(200, getWithTag("/object_info", tag).statusCode()); // the old tag is stale
        assertEquals(304, getWithTag("/api/object_info", newTag).statusCode());

        write(server.folders.input().resolve("cat.png"), "x");
        HttpResponse<String> withImage = awaitObjectInfo(r -> imageOptions(r).contains("cat.png"));
        assertEquals(List.of("cat.png"), imageOptions(withImage));

        Files.delete(models.resolve("checkpoints/a.safetensors"));
        HttpResponse<String> removed = awaitObjectInfo(r -> !checkpointOptions(r).contains("a.safetensors"));
        assertEquals(List.of("sub/dir/b.ckpt", "sub/new.safetensors"), checkpointOptions(removed));
    }

    @Test
    void anUnchangedObjectInfoIsNotRenderedAgain() throws Exception {
        String tag = server.get("/object_info").headers().firstValue("ETag").orElseThrow();
        Thread.sleep(2 * InfoRoutes.RECHECK_NANOS / 1_000_000);
        HttpResponse<String> again = server.get("/object_info");
        assertEquals(tag, again.headers().firstValue("ETag").orElseThrow());
        assertEquals(304, getWithTag("/object_info", tag).statusCode());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private HttpResponse<String> awaitObjectInfo(Predicate<HttpResponse<String>> done) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            HttpResponse<String> r = server.get("/object_info");
            if (done.test(r)) {
                return r;
            }
            assertTrue(System.nanoTime() < deadline, "object_info did not follow the folders: " + r.body());
            Thread.sleep(50);
        }
    }

    private static List<String> checkpointOptions(HttpResponse<String> objectInfo) {
        return comboOptions(objectInfo, "ckpt_name");
    }

    private static List<String> imageOptions(HttpResponse<String> objectInfo) {
        return comboOptions(objectInfo, "image");
    }

    private static List<String> comboOptions(HttpResponse<String> objectInfo, String input) {
        try {
            JsonNode node = TestServer.JSON.readTree(objectInfo.body()).get("ModelTestLoader");
            return strings(node.get("input").get("required").get(input).get(0));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> getWithTag(String path, String tag) throws Exception {
        return server.http.send(HttpRequest.newBuilder(URI.create(server.base + path)).header("If-None-Match", tag)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(String path) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return TestServer.JSON.readTree(r.body());
    }

    private void notFound(String path) throws Exception {
        HttpResponse<String> r = server.get(path);
        assertEquals(404, r.statusCode(), path + ": " + r.body());
        assertTrue(TestServer.JSON.readTree(r.body()).get("error").isTextual(), r.body());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** A safetensors file: the header's length (8 bytes, little endian), the header, then 4 data bytes. */
    static void safetensors(Path file, String header) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(8 + json.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(json.length).put(json).putFloat(1f);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes.array());
    }

    /** A loader whose COMBOs are the checkpoints and the input images, as the core loaders' are. */
    static final class ModelTestNodes implements NodePack {
        @Override
        public String id() {
            return "model-test";
        }

        @Override
        public List<Node> nodes() {
            return nodes(NodeEnvironment.defaults());
        }

        @Override
        public List<Node> nodes(NodeEnvironment environment) {
            NodeSchema schema = NodeSchema.builder("ModelTestLoader")
                    .required(InputSpec.combo("ckpt_name", () -> environment.models().list("checkpoints")))
                    .required(InputSpec.combo("image", () -> images(environment.folders().input())))
                    .output("STRING").build();
            return List.of(new Node() {
                @Override
                public NodeSchema schema() {
                    return schema;
                }

                @Override
                public NodeOutput execute(NodeInputs inputs, NodeContext context) {
                    return NodeOutput.of(inputs.getString("ckpt_name"));
                }
            });
        }

        private static List<String> images(Path input) {
            if (!Files.isDirectory(input)) {
                return List.of();
            }
            try (var files = Files.list(input)) {
                return files.map(f -> f.getFileName().toString()).sorted().toList();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
