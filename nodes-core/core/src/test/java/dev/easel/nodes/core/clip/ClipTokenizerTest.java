package dev.easel.nodes.core.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClipTokenizerTest {

    @Test
    void everyClipIdsCaseMatchesTheReference() throws Exception {
        JsonNode root = ClipFixtures.json("tokenizer_cases.json");
        ClipTokenizer tok = ClipTokenizer.standard();
        int n = 0;
        List<String> failures = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            String prompt = c.get("prompt").asText();
            int[] expected = ints(c.get("clip_ids"));
            int[] actual = tok.tokenize(prompt);
            if (!java.util.Arrays.equals(expected, actual)) {
                failures.add(c.get("id").asText() + " " + prompt + ": expected " + java.util.Arrays.toString(expected)
                        + " got " + java.util.Arrays.toString(actual) + " " + tok.tokens(prompt));
            }
            n++;
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(n >= 31, "cases: " + n);
    }

    @Test
    void tokenStringsAndSpecialTokens() {
        ClipTokenizer tok = ClipTokenizer.standard();
        assertEquals(List.of("a</w>", "photo</w>", "of</w>", "a</w>", "cat</w>"), tok.tokens("a photo of a cat"));
        assertEquals("<|startoftext|>", tok.tokenString(ClipTokenizer.BOS));
        assertEquals("<|endoftext|>", tok.tokenString(ClipTokenizer.EOS));
        assertArrayEquals(new int[] {ClipTokenizer.BOS, ClipTokenizer.EOS}, tok.tokenize(""));
        int[] ids = tok.encode("a<|endoftext|>b");
        assertEquals(3, ids.length);
        assertEquals(ClipTokenizer.EOS, ids[1]);
    }

    @Test
    void vocabAndMergesGiveTheSameIdsAsTheBundledFile() throws Exception {
        ClipTokenizer fromMerges;
        try (InputStream in = Files.newInputStream(ClipFixtures.root().resolve("../data/clip/merges.txt"))) {
            fromMerges = ClipTokenizer.fromMerges(in);
        }
        JsonNode vocab = ClipFixtures.json("../data/clip/vocab.json");
        ClipTokenizer std = ClipTokenizer.standard();
        assertEquals(ClipTokenizer.VOCAB_SIZE, vocab.size());
        vocab.fields().forEachRemaining(e -> {
            assertEquals(e.getValue().asInt(), std.id(e.getKey()), e.getKey());
            assertEquals(e.getValue().asInt(), fromMerges.id(e.getKey()), e.getKey());
        });
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
