package dev.easel.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.e2e.browser.EaselServerProcess;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference's public end-to-end workflows ({@code ../shared/fixtures/workflows/wf_*.json}: SD1.5 txt2img and
 * img2img, SDXL with CLIPTextEncodeSDXL, SD2 v-prediction), each posted unchanged — plus a SaveImage on its VAEDecode
 * — to a running {@code easel serve}'s {@code /prompt}, and each saved image fetched from {@code /view}: every pixel
 * must be the reference image as SaveImage writes it ({@code floor(255·x)}), give or take the one level that the
 * reference's image tolerance (2e-3) allows.
 */
class ReferenceWorkflowsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path scratch;

    @Test
    void referenceWorkflowsThroughThePromptApiGiveTheReferenceImages() throws Exception {
        Path fixtures = RepoFiles.root().resolve("../shared/fixtures").normalize();
        Path workflows = fixtures.resolve("workflows");
        Path data = scratch.resolve("data");
        Path checkpoints = Files.createDirectories(data.resolve("models/checkpoints"));
        Files.createDirectories(data.resolve("input"));
        JsonNode index = JSON.readTree(workflows.resolve("index.json").toFile());
        Map<String, JsonNode> cases = new LinkedHashMap<>();
        for (JsonNode c : index.get("cases")) {
            if (!c.get("case").asText().startsWith("wf_")) {
                continue;
            }
            cases.put(c.get("case").asText(), c);
            String ckpt = c.get("files").get("ckpt_name").asText();
            if (!Files.exists(checkpoints.resolve(ckpt))) {
                Files.createSymbolicLink(checkpoints.resolve(ckpt), findCheckpoint(fixtures, ckpt));
            }
            if (c.get("files").has("image")) {
                String image = c.get("files").get("image").asText();
                Files.copy(workflows.resolve(image), data.resolve("input").resolve(image));
            }
        }
        assertEquals(5, cases.size(), "the public workflow cases");

        HttpClient http = HttpClient.newHttpClient();
        try (EaselServerProcess server = EaselServerProcess.start(data, scratch.resolve("serve.log"))) {
            Map<String, String> promptIds = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : cases.entrySet()) {
                ObjectNode prompt = (ObjectNode) JSON.readTree(workflows.resolve(e.getValue().get("prompt_file")
                        .asText()).toFile());
                ObjectNode save = prompt.putObject("easel_save");
                save.put("class_type", "SaveImage");
                ObjectNode inputs = save.putObject("inputs");
                inputs.put("filename_prefix", e.getKey());
                inputs.putArray("images").add(e.getValue().get("output_nodes").get("image").asText()).add(0);
                ObjectNode body = JSON.createObjectNode();
                body.set("prompt", prompt);
                HttpResponse<String> queued = http.send(HttpRequest.newBuilder(
                        URI.create(server.baseUrl() + "/prompt")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, queued.statusCode(), e.getKey() + ": " + queued.body());
                promptIds.put(e.getKey(), JSON.readTree(queued.body()).get("prompt_id").asText());
            }
            server.awaitIdle(300);

            Torch.load();
            for (Map.Entry<String, String> e : promptIds.entrySet()) {
                JsonNode entry = server.getJson("/history/" + e.getValue()).get(e.getValue());
                assertEquals("success", entry.get("status").get("status_str").asText(), e.getKey() + ": " + entry);
                JsonNode images = entry.get("outputs").get("easel_save").get("images");
                try (SafetensorsFile ref = SafetensorsFile.open(workflows.resolve(cases.get(e.getKey()).get("file")
                        .asText())); PointerScope scope = new PointerScope()) {
                    Tensor expected = ref.load("out/image").to(ScalarType.Float).contiguous(); // [B, H, W, 3]
                    assertEquals(expected.size(0), images.size(), e.getKey() + ": one image per batch entry");
                    for (int b = 0; b < images.size(); b++) {
                        BufferedImage png = fetch(http, server.baseUrl(), images.get(b));
                        assertMatches(e.getKey() + " image " + b, expected.select(0, b).contiguous(), png);
                    }
                }
            }
        }
    }

    private static Path findCheckpoint(Path fixtures, String name) {
        for (String folder : List.of("", "sdxl/", "sd2/")) {
            if (Files.exists(fixtures.resolve(folder + name))) {
                return fixtures.resolve(folder + name);
            }
        }
        throw new IllegalStateException("no fixture checkpoint " + name);
    }

    private static BufferedImage fetch(HttpClient http, String base, JsonNode image) throws Exception {
        String query = "filename=" + URLEncoder.encode(image.get("filename").asText(), StandardCharsets.UTF_8)
                + "&subfolder=" + URLEncoder.encode(image.get("subfolder").asText(), StandardCharsets.UTF_8)
                + "&type=" + image.get("type").asText();
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(base + "/view?" + query))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), "GET /view?" + query);
        return ImageIO.read(new ByteArrayInputStream(response.body()));
    }

    /** Each 8-bit channel within one level of {@code floor(255·clamp(x))} of the reference pixel [H, W, 3]. */
    private static void assertMatches(String what, Tensor expected, BufferedImage png) {
        int h = (int) expected.size(0);
        int w = (int) expected.size(1);
        assertEquals(w, png.getWidth(), what + ": width");
        assertEquals(h, png.getHeight(), what + ": height");
        float[] ref = new float[h * w * 3];
        expected.data_ptr_float().get(ref);
        int worst = 0;
        long total = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = png.getRGB(x, y);
                int[] actual = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                for (int c = 0; c < 3; c++) {
                    int level = (int) Math.floor(Math.max(0, Math.min(255, 255.0 * ref[(y * w + x) * 3 + c])));
                    int diff = Math.abs(actual[c] - level);
                    worst = Math.max(worst, diff);
                    total += diff;
                }
            }
        }
        System.out.printf("[reference workflow] %s: worst %d level(s), %d pixels channels off by one of %d%n", what,
                worst, total, h * w * 3);
        assertTrue(worst <= 1, what + ": a pixel differs by " + worst + " levels from the reference");
    }
}
