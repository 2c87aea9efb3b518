package dev.easel.nodes.core.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.model.files.CheckpointReader;
import dev.easel.nodes.core.unet.UNetConfig;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fixtures' kohya and PEFT LoRA files on the tiny SD1.5 checkpoint: the same modules patch the same weights as in
 * the reference (and the same tensors are ignored), and the merged weights {@code W + s·alpha/rank·up@down} match
 * the reference's at its tolerance.
 */
class LoraFileFixtureTest {

    private static StateDict checkpoint;
    private static LoraKeyMap keys;


    @BeforeAll
    static void loadCheckpoint() throws IOException {
        Torch.load();
        checkpoint = CheckpointReader.read(
                LoraFixtures.fixtures().resolve("sd15_tiny_s1234_f16.safetensors"), ScalarType.Float);
        StateDict unet = checkpoint.withPrefix(LoraKeyMap.UNET_PREFIX);
        int textLayers = (int) checkpoint.keys().stream()
                .filter(k -> k.startsWith(LoraKeyMap.TEXT_PREFIX + "encoder.layers.") && k.endsWith(".mlp.fc1.weight"))
                .count();
        keys = LoraKeyMap.sd1(UNetConfig.fromStateDict(unet), unet.keys(), textLayers);
        unet.release();
    }

    @AfterAll
    static void release() {
        if (checkpoint != null) {
            checkpoint.release();
        }
    }


    @ParameterizedTest
    @ValueSource(strings = {"kohya", "peft"})
    void patchesWhatTheReferencePatchesWithTheReferencesMergedWeights(String format) throws IOException {
        JsonNode c = LoraFixtures.caseOf(format);
        JsonNode info = c.get("info");
        double strengthModel = info.get("strength_model").asDouble();
        double strengthClip = info.get("strength_clip").asDouble();
        try (LoraFile lora = LoraFile.read(LoraFixtures.file(c.get("lora_file").asText()), keys);
                PointerScope scope = new PointerScope()) {
            Map<String, List<String>> appliedFrom = new TreeMap<>();
            for (LoraFile.Pair pair : lora.pairs()) {
                appliedFrom.computeIfAbsent(pair.target(), t -> new ArrayList<>()).add(pair.module());
            }
            Map<String, List<String>> expectedFrom = new TreeMap<>();
            info.get("applied_from").fields().forEachRemaining(e -> {
                List<String> modules = new ArrayList<>();
                e.getValue().forEach(m -> modules.add(m.asText()));
                expectedFrom.put(e.getKey(), modules);
            });
            assertEquals(expectedFrom, appliedFrom, "which module patches which weight");
            List<String> ignored = new ArrayList<>();
            info.get("ignored_lora_keys").forEach(k -> ignored.add(k.asText()));
            assertEquals(new TreeSet<>(ignored), new TreeSet<>(lora.ignoredKeys()), "ignored tensors");

            int compared = 0;
            try (SafetensorsFile expected = SafetensorsFile.open(LoraFixtures.file(c.get("file").asText()))) {
                for (String name : expected.names()) {
                    if (!name.startsWith("out/merged/")) {
                        continue;
                    }
                    String target = name.substring("out/merged/".length());
                    Tensor weight = checkpoint.get(target);
                    Tensor merged = weight.clone();
                    double strength = target.startsWith(LoraKeyMap.UNET_PREFIX) ? strengthModel : strengthClip;
                    for (LoraFile.Pair pair : lora.pairs()) {
                        if (pair.target().equals(target)) {
                            merged.add_(pair.delta(weight.shape(), strength));
                        }
                    }
                    Tensor reference = expected.load(name).to(ScalarType.Float);
                    double refMax = reference.abs().amax().item().toDouble();
                    double diff = merged.sub(reference).abs().amax().item().toDouble();
                    assertTrue(diff <= 1e-5 * Math.max(1, refMax), target + ": max |diff| " + diff);
                    assertFalse(merged.equal(weight), target + " changed");
                    compared++;
                }
            }
            assertTrue(compared >= 5, "merged weights compared: " + compared);
        }
    }

    @Test
    void aPairThatDoesNotFitItsWeightNamesTheModuleTheWeightAndTheShapes() throws IOException {
        try (LoraFile lora = LoraFile.read(LoraFixtures.file("lora_kohya_sd15_tiny_s1601.safetensors"), keys);
                PointerScope scope = new PointerScope()) {
            LoraFile.Pair pair = lora.pairs().get(0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pair.delta(new long[] {3, 5}, 1.0));
            assertTrue(e.getMessage().contains(pair.module()) && e.getMessage().contains(pair.target())
                    && e.getMessage().contains("[3, 5]"), e.getMessage());
        }
    }
}
