package dev.easel.nodes.core.sd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.exec.CancellationToken;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.exec.EngineSettings;
import dev.easel.engine.exec.RunRequest;
import dev.easel.engine.exec.RunResult;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.node.Folders;
import dev.easel.node.NodeEnvironment;
import dev.easel.nodes.core.CoreNodePack;
import dev.easel.engine.models.FolderModelLibrary;
import dev.easel.engine.models.ModelFolders;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.Latent;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.TorchRuntime;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SD1.x nodes on the tiny random-weight checkpoint, against the reference fixtures. */
class SdNodesTest {

    private static final Path FIXTURES = Path.of(System.getProperty("easel.repo.root", "."))
            .resolve("../shared/fixtures").normalize();

    @TempDir
    Path dir;
    private FolderModelLibrary models;
    private Folders folders;

    @BeforeEach
    void modelsFolder() throws Exception {
        ModelFolders modelFolders = new ModelFolders(dir);
        Path checkpoints = dir.resolve("models/checkpoints");
        Files.createDirectories(checkpoints);
        Files.createSymbolicLink(checkpoints.resolve("tiny.safetensors"),
                FIXTURES.resolve("sd15_tiny_s1234_f16.safetensors"));
        models = new FolderModelLibrary(modelFolders);
        folders = Folders.of(dir.resolve("output"), dir.resolve("input"), dir.resolve("temp"));
    }

    private static double maxError(Tensor actual, Tensor expected) {
        try (PointerScope scope = new PointerScope()) {
            return actual.sub(expected).abs().max().item().toDouble();
        }
    }

    private static double tolerance(Tensor expected) {
        try (PointerScope scope = new PointerScope()) {
            return 1e-4 * Math.max(1, expected.abs().max().item().toDouble());
        }
    }

    @Test
    void loaderTextEncodeClipSkipAndVaeDecodeMatchTheReference() throws Exception {
        JsonNode index = new ObjectMapper().readTree(FIXTURES.resolve("components/index.json").toFile());
        JsonNode clipCase = null;
        for (JsonNode c : index.get("cases")) {
            if (c.get("case").asText().equals("tiny_clip_text_encode")) {
                clipCase = c;
            }
        }
        String prompt = clipCase.get("prompts").get(1).asText(); // the weighted one
        assertEquals(List.of("tiny.safetensors"), new CheckpointLoaderSimple(models).schema().input("ckpt_name")
                .orElseThrow().comboOptions());
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir));
             SafetensorsFile clipRef = SafetensorsFile.open(FIXTURES.resolve("components/tiny_clip_text_encode.safetensors"));
             SafetensorsFile vaeRef = SafetensorsFile.open(FIXTURES.resolve("components/tiny_vae_decode_8x8.safetensors"));
             PointerScope scope = new PointerScope()) {
            var loaded = runner.run(new CheckpointLoaderSimple(models), Map.of("ckpt_name", "tiny.safetensors"));
            ClipModel clip = runner.own((ClipModel) loaded.values().get(1));
            VaeModel vae = runner.own((VaeModel) loaded.values().get(2));
            runner.own((DiffusionModel) loaded.values().get(0));

            Conditioning skip1 = runner.own((Conditioning) runner.runForValue(new ClipTextEncode(),
                    Map.of("text", prompt, "clip", clip)));
            Tensor expected1 = clipRef.load("out/cond_1_skip1");
            assertTrue(maxError(skip1.entries().get(0).cond().tensor(), expected1) <= tolerance(expected1));
            assertTrue(skip1.entries().get(0).pooled().isPresent());

            ClipModel skipped = runner.own((ClipModel) runner.runForValue(new ClipSetLastLayer(),
                    Map.of("clip", clip, "stop_at_clip_layer", -2L)));
            Conditioning skip2 = runner.own((Conditioning) runner.runForValue(new ClipTextEncode(),
                    Map.of("text", prompt, "clip", skipped)));
            Tensor expected2 = clipRef.load("out/cond_1_skip2");
            assertTrue(maxError(skip2.entries().get(0).cond().tensor(), expected2) <= tolerance(expected2));

            Latent latent = runner.own(Latent.of(TensorRef.of(vaeRef.load("in/vae_latent"))));
            TensorRef image = runner.own((TensorRef) runner.runForValue(new VaeDecode(),
                    Map.of("samples", latent, "vae", vae)));
            Tensor expectedImage = vaeRef.load("out/vae_image");
            assertTrue(maxError(image.tensor(), expectedImage) <= tolerance(expectedImage));
        }
    }

    @Test
    void aWorkflowLoadsTheCheckpointOnceEncodesDecodesAndSavesThroughTheEngine() throws Exception {
        NodeRegistry registry = new NodeRegistry();
        registry.register(new CoreNodePack(), new NodeEnvironment(folders, models));
        String json = """
                {"4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "tiny.safetensors"}},
                 "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a (red:1.2) fox", "clip": ["4", 1]}},
                 "7": {"class_type": "ConditioningCombine", "inputs": {"conditioning_1": ["6", 0], "conditioning_2": ["6", 0]}},
                 "8": {"class_type": "PreviewAny", "inputs": {"source": ["7", 0]}},
                 "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
                 "10": {"class_type": "VAEDecode", "inputs": {"samples": ["5", 0], "vae": ["4", 2]}},
                 "11": {"class_type": "VAEEncode", "inputs": {"pixels": ["10", 0], "vae": ["4", 2]}},
                 "12": {"class_type": "VAEDecodeTiled", "inputs": {"samples": ["11", 0], "vae": ["4", 2],
                        "tile_size": 512, "overlap": 64, "temporal_size": 64, "temporal_overlap": 8}},
                 "9": {"class_type": "SaveImage", "inputs": {"images": ["12", 0], "filename_prefix": "tiny"}}}""";
        try (Engine engine = new Engine(registry, OutputCache.NONE, TorchRuntime.fromSystemProperties(), folders,
                EngineSettings.defaults())) {
            ValidationResult v = engine.validate(WorkflowParser.parse(json), ValidationOptions.STRICT);
            assertTrue(v.isValid(), () -> v.toJson().toString());
            RunResult r = engine.run(new RunRequest("sd", v.workflow(), Map.of()), e -> { }, new CancellationToken());
            assertTrue(r.succeeded(), () -> String.valueOf(r.failure()));
            assertTrue(Files.isRegularFile(folders.output().resolve("tiny_00001_.png")));
            assertEquals(1, r.executed().stream().filter("4"::equals).count());
        }
    }
}
