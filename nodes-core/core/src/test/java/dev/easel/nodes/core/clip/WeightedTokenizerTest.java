package dev.easel.nodes.core.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightedTokenizerTest {

    @Test
    void everyComfyCaseMatchesTheReference() throws Exception {
        JsonNode root = ClipFixtures.json("tokenizer_cases.json");
        WeightedTokenizer tok = new WeightedTokenizer(ClipTokenizer.standard());
        List<String> failures = new ArrayList<>();
        int n = 0;
        for (JsonNode c : root.get("cases")) {
            String prompt = c.get("prompt").asText();
            JsonNode expected = c.get("comfy");
            WeightedTokenizer.Chunks actual = tok.tokenize(prompt);
            String id = c.get("id").asText();
            if (expected.size() != actual.count()) {
                failures.add(id + ": " + expected.size() + " chunks expected, got " + actual.count());
                continue;
            }
            outer:
            for (int k = 0; k < expected.size(); k++) {
                JsonNode chunk = expected.get(k);
                List<WeightedTokenizer.WeightedToken> got = actual.chunks().get(k);
                if (chunk.size() != got.size()) {
                    failures.add(id + " chunk " + k + ": length " + got.size());
                    break;
                }
                for (int i = 0; i < chunk.size(); i++) {
                    JsonNode e = chunk.get(i);
                    WeightedTokenizer.WeightedToken g = got.get(i);
                    if (e.get(0).asInt() != g.token() || e.get(1).asDouble() != g.weight()
                            || e.get(2).asInt() != g.wordId()) {
                        failures.add(id + " '" + prompt + "' chunk " + k + " position " + i + ": expected " + e
                                + " got " + g);
                        break outer;
                    }
                }
            }
            n++;
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(n >= 31);
    }

    @Test
    void parserWeights() {
        List<PromptParser.Segment> s = PromptParser.parse("((a)) \\(b\\) (c:0.5) [d]");
        assertEquals(new PromptParser.Segment("a", 1.1 * 1.1), s.get(0));
        assertEquals(1.2100000000000002, s.get(0).weight());
        assertEquals(new PromptParser.Segment(" (b) ", 1.0), s.get(1));
        assertEquals(new PromptParser.Segment("c", 0.5), s.get(2));
        assertEquals(new PromptParser.Segment(" [d]", 1.0), s.get(3));
    }

    @Test
    void pythonFloat() {
        assertEquals(12.0, PromptParser.pythonFloat(" 12 "));
        assertEquals(1000.5, PromptParser.pythonFloat("1_000.5"));
        assertEquals(Double.NEGATIVE_INFINITY, PromptParser.pythonFloat("-Inf"));
        assertEquals(0.5, PromptParser.pythonFloat(".5"));
        assertEquals(5.0, PromptParser.pythonFloat("5."));
        assertEquals(1e-3, PromptParser.pythonFloat("1e-3"));
        assertNull(PromptParser.pythonFloat("1.5f"));
        assertNull(PromptParser.pythonFloat("0x10"));
        assertNull(PromptParser.pythonFloat("1__0"));
        assertNull(PromptParser.pythonFloat("b"));
        assertNull(PromptParser.pythonFloat(""));
    }
}
