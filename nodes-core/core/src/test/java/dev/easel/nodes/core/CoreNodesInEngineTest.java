package dev.easel.nodes.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.exec.CancellationToken;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.exec.EngineSettings;
import dev.easel.engine.exec.RunRequest;
import dev.easel.engine.exec.RunResult;
import dev.easel.engine.event.RunListener;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.PngChunks;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The core nodes in a real engine run: wiring, literal conversion, hidden inputs and tensor ownership together. */
class CoreNodesInEngineTest {

    private static final String WORKFLOW = """
            {
              "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 4, "batch_size": 2,
                    "color": 16711680}},
              "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
              "3": {"class_type": "ImageScaleBy", "inputs": {"image": ["2", 0], "upscale_method": "lanczos",
                    "scale_by": 2.0}},
              "4": {"class_type": "SaveImage", "inputs": {"images": ["3", 0], "filename_prefix": "run/img"}},
              "5": {"class_type": "PrimitiveInt", "inputs": {"value": 7}},
              "6": {"class_type": "IntMath", "inputs": {"a": ["5", 0], "b": 3, "operation": "multiply"}},
              "7": {"class_type": "StringFormat", "inputs": {"template": "{a} x 3 = {b}", "a": ["5", 0],
                    "b": ["6", 0]}},
              "8": {"class_type": "PreviewAny", "inputs": {"source": ["7", 0]}},
              "9": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 32, "batch_size": 1}},
              "10": {"class_type": "PreviewAny", "inputs": {"source": ["9", 0]}}
            }
            """;

    @TempDir
    Path dir;

    @Test
    void runsAWorkflowOfCoreNodes() throws Exception {
        NodeRegistry registry = new NodeRegistry();
        registry.register(new CoreNodePack());
        FakeNodeContext context = new FakeNodeContext(dir);
        try (Engine engine = new Engine(registry, OutputCache.NONE, context.runtime(), context.folders(),
                EngineSettings.defaults())) {
            ValidationResult validation = engine.validate(WorkflowParser.parse(WORKFLOW), ValidationOptions.STRICT);
            assertTrue(validation.isValid(), () -> validation.toJson().toString());
            Map<String, Object> extra = Map.of("extra_pnginfo", Map.of("workflow", Map.of("version", 0.4)));
            RunResult result = engine.run(new RunRequest("p1", validation.workflow(), extra), RunListener.NONE,
                    new CancellationToken());
            assertTrue(result.succeeded(), () -> String.valueOf(result.failure()));

            assertEquals(List.of("7 x 3 = 21"), result.outputs().get("8").get("text"));
            assertEquals(List.of("Latent{samples=TensorRef[[1, 4, 4, 8], Float]}"),
                    result.outputs().get("10").get("text"));

            List<Object> saved = result.outputs().get("4").get("images");
            assertEquals(List.of(
                    Map.of("filename", "img_00001_.png", "subfolder", "run", "type", "output"),
                    Map.of("filename", "img_00002_.png", "subfolder", "run", "type", "output")), saved);
            Path png = context.folders().output().resolve("run/img_00002_.png");
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(16, image.getWidth());
            assertEquals(8, image.getHeight());
            int[] cyan = {0, 255, 255};
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 16; x++) {
                    assertArrayEquals(cyan, image.getRaster().getPixel(x, y, new int[3]), "red, inverted");
                }
            }
            Map<String, String> text = PngChunks.text(png);
            Map<?, ?> prompt = new ObjectMapper().readValue(text.get("prompt"), Map.class);
            assertEquals("EmptyImage", ((Map<?, ?>) prompt.get("1")).get("class_type"));
            assertEquals("{\"version\": 0.4}", text.get("workflow"));
            assertFalse(prompt.isEmpty());
        }
    }
}
