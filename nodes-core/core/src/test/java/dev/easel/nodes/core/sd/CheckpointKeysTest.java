package dev.easel.nodes.core.sd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.model.StateDict;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which weights of a checkpoint the SD1.x models use: missing ones are errors, left-over ones are reported. */
class CheckpointKeysTest {

    private static final Path TINY = Path.of(System.getProperty("easel.repo.root", "."))
            .resolve("../shared/fixtures/sd15_tiny_s1234_f16.safetensors").normalize();

    @TempDir
    Path dir;

    private static void release(CheckpointLoading.Parts parts) {
        parts.model().release();
        parts.clip().release();
        parts.vae().release();
    }

    /** The tiny checkpoint without {@code remove}, plus {@code extra} (name → shape) as float16 zeros. */
    private Path variant(String fileName, String remove, Map<String, long[]> extra) throws Exception {
        Path out = dir.resolve(fileName);
        try (SafetensorsFile in = SafetensorsFile.open(TINY); PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String n : in.names()) {
                if (!n.equals(remove)) {
                    tensors.put(n, in.view(n));
                }
            }
            extra.forEach((n, shape) -> tensors.put(n, torch.zeros(shape).to(ScalarType.Half)));
            SafetensorsWriter.write(out, tensors, in.metadata());
        }
        return out;
    }

    @Test
    void theTinyCheckpointHasNoLeftOverKeys() throws Exception {
        CheckpointLoading.Parts parts = CheckpointLoading.load(TINY, ScalarType.Float);
        try {
            assertEquals(List.of(), parts.unexpectedKeys());
        } finally {
            release(parts);
        }
    }

    @Test
    void aMissingUnetWeightNamesTheFileAndTheFullKey() throws Exception {
        String key = "model.diffusion_model.output_blocks.4.1.transformer_blocks.0.attn2.to_k.weight";
        Path file = variant("no_to_k.safetensors", key, Map.of());
        StateDict.MissingWeightException e = assertThrows(StateDict.MissingWeightException.class,
                () -> CheckpointLoading.load(file, ScalarType.Float));
        assertEquals("no_to_k.safetensors: missing weight '" + key + "'", e.getMessage());
    }

    @Test
    void missingTextEncoderAndVaeWeightsFailAtLoadNamingTheFileAndKey() throws Exception {
        String clipKey = "cond_stage_model.transformer.text_model.encoder.layers.2.mlp.fc2.bias";
        Path noClip = variant("no_fc2.safetensors", clipKey, Map.of());
        Exception e = assertThrows(StateDict.MissingWeightException.class,
                () -> CheckpointLoading.load(noClip, ScalarType.Float));
        assertEquals("no_fc2.safetensors: missing weight '" + clipKey + "'", e.getMessage());

        String vaeKey = "first_stage_model.decoder.up.1.block.2.norm2.bias";
        Path noVae = variant("no_norm2.safetensors", vaeKey, Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> CheckpointLoading.load(noVae, ScalarType.Float));
        assertTrue(e.getMessage().contains("no_norm2.safetensors") && e.getMessage().contains("first_stage_model.")
                && e.getMessage().contains("decoder.up.1.block.2.norm2.bias"), e.getMessage());
    }

    @Test
    void weightsNoModelUsesAreListedAndIgnoredBuffersAreNot() throws Exception {
        Map<String, long[]> extra = new LinkedHashMap<>();
        extra.put("model.diffusion_model.input_blocks.1.1.extra_proj.weight", new long[] {4, 4});
        extra.put("first_stage_model.loss.logvar", new long[] {1});
        extra.put("model_ema.decay", new long[] {1});
        extra.put("model_ema.diffusion_modelinput_blocks00weight", new long[] {2, 2});
        Path file = variant("extra.safetensors", null, extra);
        CheckpointLoading.Parts parts = CheckpointLoading.load(file, ScalarType.Float);
        try {
            assertEquals(List.of("first_stage_model.loss.logvar", "model.diffusion_model.input_blocks.1.1.extra_proj.weight"),
                    parts.unexpectedKeys());
        } finally {
            release(parts);
        }
    }

    @Test
    void usedKeysAreSharedByDerivedDictsAndRecordFullNames() {
        Torch.load();
        StateDict root;
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("a.b.w", torch.zeros(1));
            m.put("a.b.v", torch.zeros(1));
            m.put("a.c", torch.zeros(1));
            m.put("d", torch.zeros(1));
            root = StateDict.of("f.safetensors", m);
        }
        StateDict a = root.withPrefix("a.");
        StateDict ab = a.withPrefix("b.");
        try {
            ab.get("w");
            a.get("c");
            assertTrue(ab.has("v")); // has() does not count as use
            assertEquals(Set.of("a.b.w", "a.c"), new TreeSet<>(root.usedKeys()));
            assertEquals(root.usedKeys(), ab.usedKeys());
            assertEquals(Set.of("w", "v"), ab.keys());
            assertEquals("a.b.", ab.keyPrefix());
            StateDict.MissingWeightException e = assertThrows(StateDict.MissingWeightException.class,
                    () -> ab.get("x"));
            assertEquals("f.safetensors: missing weight 'a.b.x'", e.getMessage());
            e = assertThrows(StateDict.MissingWeightException.class, () -> root.get("x"));
            assertEquals("f.safetensors: missing weight 'x'", e.getMessage());
            assertEquals("f.safetensors:a.:b.", ab.source());
        } finally {
            ab.release();
            a.release();
            root.release();
        }
    }

    @Test
    void readingTensorByTensorGivesTheFilesValues() throws Exception {
        StateDict asFloat = StateDict.readSafetensors(TINY, ScalarType.Float);
        StateDict asHalf = StateDict.readSafetensors(TINY, ScalarType.Half);
        try (SafetensorsFile f = SafetensorsFile.open(TINY); PointerScope scope = new PointerScope()) {
            assertEquals(f.names().size(), asFloat.size());
            for (String name : f.names()) {
                Tensor view = f.view(name);
                Tensor half = asHalf.get(name);
                Tensor flt = asFloat.get(name);
                assertEquals(ScalarType.Float, flt.scalar_type().intern(), name);
                assertTrue(flt.equal(view.to(ScalarType.Float)), name);
                if (view.scalar_type().intern() == ScalarType.Half) {
                    assertTrue(half.equal(view), name);
                    assertTrue(half.data_ptr().address() != view.data_ptr().address(), name + " is a copy");
                }
            }
        } finally {
            asFloat.release();
            asHalf.release();
        }
    }
}
