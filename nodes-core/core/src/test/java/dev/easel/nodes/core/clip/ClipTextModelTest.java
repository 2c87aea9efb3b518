package dev.easel.nodes.core.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tiny SD1.5 text encoder against ComfyUI's outputs ({@code components/index.json}, clip cases). */
class ClipTextModelTest {

    static final String PREFIX = "cond_stage_model.transformer.text_model.";
    static ClipTextModel model;

    @BeforeAll
    static void load() throws Exception {
        Torch.load();
        JsonNode index = ClipFixtures.json("components/index.json");
        StateDict all = StateDict.readSafetensors(ClipFixtures.root().resolve(index.get("checkpoint").asText()),
                ScalarType.Float);
        try {
            model = ClipTextModel.load(all.withPrefix(PREFIX));
        } finally {
            all.release();
        }
    }

    @AfterAll
    static void free() {
        if (model != null) {
            model.release();
        }
    }

    @Test
    void configIsDetectedFromTheWeights() throws Exception {
        JsonNode tiny = ClipFixtures.json("sd15_configs.json").get("tiny").get("clip");
        ClipTextModel.Config c = model.config();
        assertEquals(tiny.get("hidden_size").asInt(), c.width());
        assertEquals(tiny.get("num_hidden_layers").asInt(), c.layers());
        assertEquals(tiny.get("num_attention_heads").asInt(), c.heads());
        assertEquals(tiny.get("intermediate_size").asInt(), c.intermediate());
        assertEquals(tiny.get("vocab_size").asInt(), c.vocab());
        assertEquals(tiny.get("max_position_embeddings").asInt(), c.positions());
        JsonNode full = ClipFixtures.json("sd15_configs.json").get("full").get("clip");
        assertEquals(full.get("num_attention_heads").asInt(),
                ClipTextModel.detectHeads(full.get("hidden_size").asInt()));
        assertEquals(16, ClipTextModel.detectHeads(1024));
        assertEquals(20, ClipTextModel.detectHeads(1280));
        assertEquals(2, ClipTextModel.detectHeads(8));
    }

    @Test
    void componentCasesMatchTheReference() throws Exception {
        JsonNode index = ClipFixtures.json("components/index.json");
        List<String> report = new ArrayList<>();
        int cases = 0;
        for (JsonNode c : index.get("cases")) {
            JsonNode inputs = c.get("inputs");
            if (!inputs.has("clip_tokens")) {
                continue;
            }
            cases++;
            Path file = ClipFixtures.root().resolve("components").resolve(c.get("file").asText());
            try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
                Tensor tokens = f.load("in/clip_tokens");
                ClipTextModel.Output penult = model.forward(tokens, -2, true);
                ClipTextModel.Output raw = model.forward(tokens, -2, false);
                check(c, "clip_last", penult.last(), f, report);
                check(c, "clip_penultimate", penult.hidden(), f, report);
                check(c, "clip_penultimate_raw", raw.hidden(), f, report);
                check(c, "clip_pooled", penult.pooled(), f, report);
                // clip skip 1 through the hidden path equals the last output
                assertEquals(0.0, ClipFixtures.maxAbsDiff(model.hidden(tokens, -1, true), penult.last()));
            }
        }
        System.out.println(String.join("\n", report));
        assertEquals(2, cases, "clip component cases");
    }

    static void check(JsonNode c, String name, Tensor actual, SafetensorsFile f, List<String> report)
            throws Exception {
        Tensor expected = f.load("out/" + name);
        assertArrayEquals(expected.shape(), actual.shape(), c.get("case").asText() + " " + name + " shape");
        double err = ClipFixtures.maxAbsDiff(actual, expected);
        double tol = 1e-4 * Math.max(1.0, ClipFixtures.absMax(expected));
        report.add(String.format("%s %s: max err %.3g (tolerance %.3g)", c.get("case").asText(), name, err, tol));
        assertTrue(err <= tol, c.get("case").asText() + " " + name + ": " + err + " > " + tol);
    }

    @Test
    void halfWeightsAreUpCastPerCall() throws Exception {
        JsonNode index = ClipFixtures.json("components/index.json");
        StateDict all = StateDict.readSafetensors(ClipFixtures.root().resolve(index.get("checkpoint").asText()),
                ScalarType.Half);
        ClipTextModel half;
        try {
            half = ClipTextModel.load(all.withPrefix(PREFIX));
        } finally {
            all.release();
        }
        Path file = ClipFixtures.root().resolve("components/tiny_clip_tokens_b3.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
            Tensor tokens = f.load("in/clip_tokens");
            ClipTextModel.Output a = half.forward(tokens, -2, true);
            ClipTextModel.Output b = model.forward(tokens, -2, true);
            assertEquals(ScalarType.Float, a.last().scalar_type().intern());
            assertEquals(0.0, ClipFixtures.maxAbsDiff(a.hidden(), b.hidden()), "f16 → f32 is exact");
        } finally {
            half.release();
        }
    }

    @Test
    void layerIndicesAndLifetime() {
        assertEquals(3, model.resolveLayer(-1));
        assertEquals(0, model.resolveLayer(-4));
        assertEquals(2, model.resolveLayer(2));
        assertThrows(IllegalArgumentException.class, () -> model.resolveLayer(-5));
        assertThrows(IllegalArgumentException.class, () -> model.resolveLayer(4));
        long bytes = model.nativeBytes();
        assertTrue(bytes > 49408L * 64 * 4, "token embedding alone is 12.6 MB in float32: " + bytes);
        model.retain();
        model.release(); // back to one owner; the model stays usable
        try (PointerScope scope = new PointerScope()) {
            Tensor t = Tensor.create(new long[] {ClipTokenizer.BOS, ClipTokenizer.EOS}, 1, 2);
            assertArrayEquals(new long[] {1, 2, 64}, model.lastHidden(t).shape());
            assertArrayEquals(new long[] {1, 64}, model.pooled(t).shape());
        }
    }
}
