package dev.easel.nodes.core.sd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.nodes.core.lora.LoraFile;
import dev.easel.nodes.core.lora.LoraFixtures;
import dev.easel.nodes.core.model.WeightPatcher;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoRAs applied in place to the tiny SD1.5 checkpoint's shared weights: the patched UNet and text encoder give the
 * reference's outputs, the base model used afterwards gives the reference's unpatched output (the originals come back
 * exactly), and a use of another patch set waits for the current one's users.
 */
class LoraPatchingFixtureTest {

    private static CheckpointLoading.Parts parts;


    @BeforeAll
    static void load() throws IOException {
        Torch.load();
        parts = CheckpointLoading.load(
                LoraFixtures.fixtures().resolve("sd15_tiny_s1234_f16.safetensors"), ScalarType.Float);
    }

    @AfterAll
    static void release() {
        if (parts != null) {
            parts.model().release();
            parts.clip().release();
            parts.vae().release();
        }
    }


    private static Map<String, Tensor> tensors(String file) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(LoraFixtures.file(file))) {
            for (String name : f.names()) {
                if (!name.startsWith("out/merged/")) {
                    out.put(name, f.load(name));
                }
            }
        }
        return out;
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        Tensor e = expected.to(ScalarType.Float);
        double tolerance = 1e-4 * Math.max(1, e.abs().amax().item().toDouble());
        double diff = actual.sub(e).abs().amax().item().toDouble();
        assertTrue(diff <= tolerance, what + ": max |diff| " + diff + " > " + tolerance);
    }

    private static Tensor unetEps(DiffusionModel model, Map<String, Tensor> in) {
        try (WeightPatcher.Use patched = model.usePatches(); NoGradGuard noGrad = new NoGradGuard()) {
            return model.unet().forward(in.get("in/unet_x"), in.get("in/unet_t"), in.get("in/unet_context"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kohya", "peft"})
    void patchedModelsGiveTheReferenceOutputsAndTheBaseModelItsOwn(String format) throws IOException {
        JsonNode c = LoraFixtures.caseOf(format);
        JsonNode info = c.get("info");
        Path file = LoraFixtures.file(c.get("lora_file").asText());
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> t = tensors(c.get("file").asText());
            DiffusionModel model;
            ClipModel clip;
            try (LoraFile lora = LoraLoading.read(file, parts.model(), parts.clip())) {
                model = parts.model().withLora(lora, info.get("strength_model").asDouble());
                clip = parts.clip().withLora(lora, info.get("strength_clip").asDouble());
            }
            try {
                Tensor original;
                try (WeightPatcher.Use base = parts.model().usePatches()) { // the weights as loaded
                    original = parts.model().unet().weights().get("input_blocks.1.0.in_layers.2.weight").clone();
                }
                assertClose(t.get("out/unet_eps"), unetEps(model, t), "patched UNet");
                assertClose(t.get("out/unet_eps_base"), unetEps(parts.model(), t), "base UNet after the patches");
                assertTrue(original.equal(parts.model().unet().weights().get("input_blocks.1.0.in_layers.2.weight")),
                        "the original weight is back bit for bit");
                assertClose(t.get("out/unet_eps"), unetEps(model, t), "patched again");

                for (int i = 0; i < info.get("prompts").size(); i++) {
                    try (WeightPatcher.Use patched = clip.usePatches()) {
                        Tensor cond = clip.encode(info.get("prompts").get(i).asText()).cond();
                        assertClose(t.get("out/cond_" + i), cond, "conditioning of prompt " + i);
                    }
                }
                assertFalse(model.contentHash().equals(parts.model().contentHash()), "a patched model is another value");
            } finally {
                model.release();
                clip.release();
            }
        }
    }

    @Test
    void stackedLorasAddUpAndComeOffTogether() throws IOException {
        Path kohya = LoraFixtures.file("lora_kohya_sd15_tiny_s1601.safetensors");
        try (PointerScope scope = new PointerScope();
                LoraFile first = LoraLoading.read(kohya, parts.model(), parts.clip());
                LoraFile second = LoraLoading.read(kohya, parts.model(), parts.clip())) { // the same weights again
            DiffusionModel once = parts.model().withLora(first, 0.5);
            DiffusionModel twice = once.withLora(second, -0.7);
            var weights = parts.model().unet().weights();
            Map<String, Tensor> expected = new LinkedHashMap<>();
            try (WeightPatcher.Use base = parts.model().usePatches()) {
                for (String key : twice.patches().keys()) {
                    Tensor w = weights.get(key).clone();
                    for (var pair : first.pairs()) {
                        if (pair.target().equals("model.diffusion_model." + key)) {
                            w.add_(pair.delta(w.shape(), 0.5));
                        }
                    }
                    for (var pair : second.pairs()) {
                        if (pair.target().equals("model.diffusion_model." + key)) {
                            w.add_(pair.delta(w.shape(), -0.7));
                        }
                    }
                    expected.put(key, w);
                }
            }
            assertEquals(once.patches().keys(), twice.patches().keys());
            assertEquals(10, twice.patches().keys().size());
            try (WeightPatcher.Use use = twice.usePatches()) {
                for (var e : expected.entrySet()) {
                    double diff = weights.get(e.getKey()).sub(e.getValue()).abs().amax().item().toDouble();
                    assertTrue(diff <= 1e-6, e.getKey() + ": " + diff);
                }
            }
            try (WeightPatcher.Use base = parts.model().usePatches()) {
                assertEquals(0, weights.patcher().originalBytes());
            }
            twice.release();
            once.release();
        }
    }

    @Test
    void anotherPatchSetWaitsForTheUsersOfTheCurrentOne() throws Exception {
        Path file = LoraFixtures.file("lora_kohya_sd15_tiny_s1601.safetensors");
        DiffusionModel model;
        try (LoraFile lora = LoraLoading.read(file, parts.model(), parts.clip())) {
            model = parts.model().withLora(lora, 1.0);
        }
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            WeightPatcher.Use patched = model.usePatches();
            long extra = parts.model().unet().weights().patcher().originalBytes();
            assertTrue(extra > 0, "originals of the patched weights are kept");
            CountDownLatch started = new CountDownLatch(1);
            Future<?> base = other.submit(() -> {
                started.countDown();
                parts.model().usePatches().close();
                return null;
            });
            started.await();
            assertThrows(TimeoutException.class, () -> base.get(300, TimeUnit.MILLISECONDS),
                    "the base model waits while the LoRA is in use");
            try (WeightPatcher.Use again = model.usePatches()) {
                // the same set: no wait
            }
            patched.close();
            base.get(10, TimeUnit.SECONDS);
            assertEquals(0, parts.model().unet().weights().patcher().originalBytes(), "the originals were put back");
        } finally {
            other.shutdownNow();
            model.release();
        }
    }

    @Test
    void loraFilesThatDoNotFitTheModelAreRefusedWithTheReason(@TempDir Path dir) throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Path otherFamily = dir.resolve("sdxl_style.safetensors"); // a block this UNet does not have
            SafetensorsWriter.write(otherFamily, Map.of(
                    "lora_unet_input_blocks_7_1_transformer_blocks_1_attn1_to_q.lora_up.weight", torch.zeros(8, 4),
                    "lora_unet_input_blocks_7_1_transformer_blocks_1_attn1_to_q.lora_down.weight", torch.zeros(4, 8)),
                    Map.of());
            IllegalArgumentException nothing = assertThrows(IllegalArgumentException.class,
                    () -> LoraLoading.read(otherFamily, parts.model(), parts.clip()));
            assertTrue(nothing.getMessage().contains("sdxl_style.safetensors patches nothing")
                    && nothing.getMessage().contains("input_blocks_7_1"), nothing.getMessage());

            Path wrongShape = dir.resolve("wrong_rank.safetensors");
            String module = "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q";
            SafetensorsWriter.write(wrongShape, Map.of(module + ".lora_up.weight", torch.zeros(32, 4),
                    module + ".lora_down.weight", torch.zeros(4, 48)), Map.of());
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> LoraLoading.read(wrongShape, parts.model(), parts.clip()));
            assertTrue(shape.getMessage().contains(module) && shape.getMessage().contains("[32, 32]")
                    && shape.getMessage().contains("down [4, 48]"), shape.getMessage());

            Path halfPair = dir.resolve("half.safetensors");
            SafetensorsWriter.write(halfPair, Map.of(module + ".lora_up.weight", torch.zeros(32, 4)), Map.of());
            IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
                    () -> LoraLoading.read(halfPair, parts.model(), parts.clip()));
            assertTrue(half.getMessage().contains(module) && half.getMessage().contains("no down weight"),
                    half.getMessage());
        }
    }
}
