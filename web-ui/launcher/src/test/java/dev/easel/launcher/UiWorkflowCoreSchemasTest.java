package dev.easel.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
import dev.easel.engine.validation.WorkflowValidator;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.engine.workflow.ui.UiWorkflowConverter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The editor's default graph (api-contract §10) converted with the core pack's real schemas: their widget order and
 * {@code control_after_generate} options must line up with what the editor saves.
 */
class UiWorkflowCoreSchemasTest {

    @TempDir
    Path dir;

    @Test
    void defaultGraphConvertsWithTheCoreSchemasAndValidates() throws Exception {
        Path checkpoints = Files.createDirectories(dir.resolve("data/models/checkpoints"));
        Files.writeString(checkpoints.resolve("v1-5-pruned-emaonly.ckpt"), "not loaded by this test");
        NodeRegistry registry = Registries.load(new PrintWriter(new StringWriter()), dir.resolve("data"), null,
                List.of());
        JsonNode ui = WorkflowParser.mapper().readTree("""
                {"last_node_id": 9, "last_link_id": 9, "version": 0.4,
                 "nodes": [
                  {"id": 7, "type": "CLIPTextEncode", "mode": 0, "inputs": [{"name": "clip", "type": "CLIP", "link": 5}],
                   "widgets_values": ["text, watermark"]},
                  {"id": 6, "type": "CLIPTextEncode", "mode": 0, "inputs": [{"name": "clip", "type": "CLIP", "link": 3}],
                   "widgets_values": ["beautiful scenery nature glass bottle landscape, , purple galaxy bottle,"]},
                  {"id": 5, "type": "EmptyLatentImage", "mode": 0, "inputs": [], "widgets_values": [512, 512, 1]},
                  {"id": 3, "type": "KSampler", "mode": 0,
                   "inputs": [{"name": "model", "type": "MODEL", "link": 1},
                              {"name": "positive", "type": "CONDITIONING", "link": 4},
                              {"name": "negative", "type": "CONDITIONING", "link": 6},
                              {"name": "latent_image", "type": "LATENT", "link": 2}],
                   "widgets_values": [156680208700286, true, 20, 8, "euler", "normal", 1]},
                  {"id": 8, "type": "VAEDecode", "mode": 0,
                   "inputs": [{"name": "samples", "type": "LATENT", "link": 7}, {"name": "vae", "type": "VAE", "link": 8}]},
                  {"id": 9, "type": "SaveImage", "mode": 0, "inputs": [{"name": "images", "type": "IMAGE", "link": 9}],
                   "widgets_values": ["ComfyUI"]},
                  {"id": 4, "type": "CheckpointLoaderSimple", "mode": 0, "inputs": [],
                   "widgets_values": ["v1-5-pruned-emaonly.ckpt"]}],
                 "links": [[1, 4, 0, 3, 0, "MODEL"], [2, 5, 0, 3, 3, "LATENT"], [3, 4, 1, 6, 0, "CLIP"],
                           [4, 6, 0, 3, 1, "CONDITIONING"], [5, 4, 1, 7, 0, "CLIP"], [6, 7, 0, 3, 2, "CONDITIONING"],
                           [7, 3, 0, 8, 0, "LATENT"], [8, 4, 2, 8, 1, "VAE"], [9, 8, 0, 9, 0, "IMAGE"]]}""");
        JsonNode prompt = new UiWorkflowConverter(registry).toApiPrompt(ui);
        JsonNode expectedInputs = WorkflowParser.mapper().readTree("""
                {"3": {"model": ["4", 0], "seed": 156680208700286, "steps": 20, "cfg": 8, "sampler_name": "euler",
                       "scheduler": "normal", "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0],
                       "denoise": 1},
                 "4": {"ckpt_name": "v1-5-pruned-emaonly.ckpt"},
                 "5": {"width": 512, "height": 512, "batch_size": 1},
                 "6": {"text": "beautiful scenery nature glass bottle landscape, , purple galaxy bottle,",
                       "clip": ["4", 1]},
                 "7": {"text": "text, watermark", "clip": ["4", 1]},
                 "8": {"samples": ["3", 0], "vae": ["4", 2]},
                 "9": {"images": ["8", 0], "filename_prefix": "ComfyUI"}}""");
        assertEquals(expectedInputs.size(), prompt.size(), prompt.toString());
        expectedInputs.fields().forEachRemaining(e -> {
            assertEquals(e.getValue(), prompt.get(e.getKey()).get("inputs"), "node " + e.getKey());
            assertEquals(registry.find(prompt.get(e.getKey()).get("class_type").asText()).orElseThrow().schema()
                    .displayName(), prompt.get(e.getKey()).at("/_meta/title").asText());
        });
        ValidationResult validation = new WorkflowValidator(registry)
                .validate(WorkflowParser.fromJson(prompt), ValidationOptions.STRICT);
        assertTrue(validation.isValid(), () -> String.valueOf(validation.toJson()));
    }
}
