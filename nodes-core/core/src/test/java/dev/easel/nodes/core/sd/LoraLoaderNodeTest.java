package dev.easel.nodes.core.sd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.models.FolderModelLibrary;
import dev.easel.engine.models.ModelFolders;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoraLoader and LoraLoaderModelOnly as nodes: the LoRA comes from models/loras and changes what the CLIP encodes. */
class LoraLoaderNodeTest {

    private static final Path FIXTURES = Path.of(System.getProperty("easel.repo.root", "."))
            .resolve("../shared/fixtures").normalize();

    @TempDir
    Path dir;

    @Test
    void theLoadersPatchTheModelsTheyAreGivenAndStrengthZeroPassesThemOn() throws Exception {
        Path checkpoints = Files.createDirectories(dir.resolve("models/checkpoints"));
        Files.createSymbolicLink(checkpoints.resolve("tiny.safetensors"),
                FIXTURES.resolve("sd15_tiny_s1234_f16.safetensors"));
        Path loras = Files.createDirectories(dir.resolve("models/loras/styles"));
        Files.createSymbolicLink(loras.resolve("kohya.safetensors"),
                FIXTURES.resolve("lora/lora_kohya_sd15_tiny_s1601.safetensors"));
        FolderModelLibrary models = new FolderModelLibrary(new ModelFolders(dir));
        LoraLoader loader = LoraLoader.modelAndClip(models);
        assertEquals(List.of("styles/kohya.safetensors"), loader.schema().input("lora_name").orElseThrow()
                .comboOptions());
        String prompt = "a photo of a cat"; // the fixture case's first prompt, at strength_clip 0.6
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir));
                SafetensorsFile reference = SafetensorsFile.open(FIXTURES.resolve("lora/lora_kohya_m0.8_c0.6.safetensors"));
                PointerScope scope = new PointerScope()) {
            var loaded = runner.run(new CheckpointLoaderSimple(models), Map.of("ckpt_name", "tiny.safetensors"));
            DiffusionModel model = runner.own((DiffusionModel) loaded.values().get(0));
            ClipModel clip = runner.own((ClipModel) loaded.values().get(1));
            runner.own((VaeModel) loaded.values().get(2));

            var patched = runner.run(loader, Map.of("model", model, "clip", clip,
                    "lora_name", "styles/kohya.safetensors", "strength_model", 0.8, "strength_clip", 0.6));
            DiffusionModel patchedModel = runner.own((DiffusionModel) patched.values().get(0));
            ClipModel patchedClip = runner.own((ClipModel) patched.values().get(1));
            Conditioning cond = runner.own((Conditioning) runner.runForValue(new ClipTextEncode(),
                    Map.of("text", prompt, "clip", patchedClip)));
            Tensor expected = reference.load("out/cond_0");
            double error = cond.entries().get(0).cond().tensor().sub(expected).abs().max().item().toDouble();
            assertTrue(error <= 1e-4 * Math.max(1, expected.abs().max().item().toDouble()), "error " + error);
            assertTrue(!patchedModel.contentHash().equals(model.contentHash()));

            var modelOnly = runner.run(LoraLoader.modelOnly(models), Map.of("model", model,
                    "lora_name", "styles/kohya.safetensors", "strength_model", 0.0));
            assertSame(model, modelOnly.values().get(0), "strength 0 passes the model on");
        }
    }
}
