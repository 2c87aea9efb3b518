package dev.easel.nodes.core.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CLIPTextEncode on the tiny SD1.5 checkpoint against ComfyUI ({@code tiny_clip_text_encode}). */
class ClipTextEncoderTest {

    static ClipTextModel model;

    @BeforeAll
    static void load() throws Exception {
        Torch.load();
        JsonNode index = ClipFixtures.json("components/index.json");
        StateDict all = StateDict.readSafetensors(ClipFixtures.root().resolve(index.get("checkpoint").asText()),
                ScalarType.Float);
        try {
            model = ClipTextModel.load(all.withPrefix(ClipTextModelTest.PREFIX));
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
    void clipTextEncodeCaseMatchesTheReference() throws Exception {
        JsonNode index = ClipFixtures.json("components/index.json");
        JsonNode c = null;
        for (JsonNode x : index.get("cases")) {
            if (x.get("case").asText().equals("tiny_clip_text_encode")) {
                c = x;
            }
        }
        assertTrue(c != null, "case tiny_clip_text_encode");
        ClipTextEncoder encoder = new ClipTextEncoder(model, new WeightedTokenizer(ClipTokenizer.standard()));
        List<String> report = new ArrayList<>();
        JsonNode prompts = c.get("prompts");
        try (SafetensorsFile f = SafetensorsFile.open(ClipFixtures.root().resolve("components")
                .resolve(c.get("file").asText()))) {
            for (int i = 0; i < prompts.size(); i++) {
                try (PointerScope scope = new PointerScope()) {
                    String prompt = prompts.get(i).asText();
                    WeightedTokenizer.Chunks chunks = encoder.tokenizer().tokenize(prompt);
                    Tensor expTokens = f.load("out/cond_" + i + "_tokens");
                    Tensor expWeights = f.load("out/cond_" + i + "_weights");
                    long[][] tok = chunks.tokens();
                    double[][] w = chunks.weights();
                    assertArrayEquals(expTokens.shape(), new long[] {tok.length, tok[0].length}, "tokens shape " + i);
                    long[] et = new long[(int) expTokens.numel()];
                    expTokens.contiguous().data_ptr_long().get(et);
                    float[] ew = new float[(int) expWeights.numel()];
                    expWeights.contiguous().data_ptr_float().get(ew);
                    for (int k = 0; k < tok.length; k++) {
                        for (int j = 0; j < tok[k].length; j++) {
                            assertEquals(et[k * tok[k].length + j], tok[k][j], "prompt " + i + " token " + k + "/" + j);
                            assertEquals(ew[k * tok[k].length + j], (float) w[k][j],
                                    "prompt " + i + " weight " + k + "/" + j);
                        }
                    }
                    for (int skip = 1; skip <= 2; skip++) {
                        ClipTextEncoder.Encoded enc = encoder.encode(prompt, -skip);
                        String name = "cond_" + i + "_skip" + skip;
                        Tensor expected = f.load("out/" + name);
                        assertArrayEquals(expected.shape(), enc.cond().shape(), name + " shape");
                        assertArrayEquals(new long[] {1, model.config().width()}, enc.pooled().shape());
                        double err = ClipFixtures.maxAbsDiff(enc.cond(), expected);
                        double tol = 1e-4 * Math.max(1.0, ClipFixtures.absMax(expected));
                        report.add(String.format("%s (%d chunk(s), weighted %b): max err %.3g (tolerance %.3g)",
                                name, chunks.count(), chunks.hasWeights(), err, tol));
                        assertTrue(err <= tol, name + ": " + err + " > " + tol);
                        if (skip == 1) {
                            assertEquals(0.0, ClipFixtures.maxAbsDiff(encoder.encode(prompt).cond(), enc.cond()),
                                    "SD1: CLIPSetLastLayer(-1) equals no CLIPSetLastLayer");
                        }
                    }
                }
            }
        }
        System.out.println(String.join("\n", report));
    }

    @Test
    void pooledIsTheFirstChunksEosVector() {
        ClipTextEncoder encoder = new ClipTextEncoder(model, new WeightedTokenizer(ClipTokenizer.standard()));
        try (PointerScope scope = new PointerScope()) {
            ClipTextEncoder.Encoded enc = encoder.encode("a photo of a cat");
            // BOS + 5 tokens: the first EOS is at position 6
            Tensor eos = enc.cond().select(1, 6);
            assertEquals(0.0, ClipFixtures.maxAbsDiff(eos, enc.pooled()));
        }
    }

    @Test
    void noLeakOverRepeatedEncodes() {
        ClipTextEncoder encoder = new ClipTextEncoder(model, new WeightedTokenizer(ClipTokenizer.standard()));
        for (int i = 0; i < 20; i++) {
            try (PointerScope scope = new PointerScope()) {
                ClipTextEncoder.Encoded enc = encoder.encode("(red:1.3) car, blue sky", -2);
                assertEquals(1, enc.cond().size(0));
            }
        }
        // results belong to the caller's scope and die with it; the model's weights are untouched
        Tensor cond;
        try (PointerScope scope = new PointerScope()) {
            cond = encoder.encode("x").cond();
            assertEquals(1, cond.size(0));
        }
        assertTrue(cond.isNull(), "the result was freed with the caller's scope");
        try (PointerScope scope = new PointerScope()) {
            assertEquals(1, encoder.encode("x").pooled().size(0));
        }
    }
}
