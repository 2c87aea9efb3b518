package dev.easel.nodes.core.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@link WeightedTokenizer} places embedding vectors, with an in-memory lookup (no files, no model). */
class EmbeddingTokenizerTest {

    private static final WeightedTokenizer TOK = new WeightedTokenizer(ClipTokenizer.standard());

    /** A lookup over named vectors that records what was asked and what was reported missing. */
    static final class MapLookup implements EmbeddingLookup {
        final Map<String, float[][]> known;
        final List<String> asked = new ArrayList<>();
        final List<String> missing = new ArrayList<>();

        MapLookup(Map<String, float[][]> known) {
            this.known = known;
        }

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public float[][] find(String name) {
            asked.add(name);
            return known.get(name);
        }

        @Override
        public void missing(String name) {
            missing.add(name);
        }
    }

    private static float[][] vectors(int n) {
        float[][] v = new float[n][4];
        for (int i = 0; i < n; i++) {
            v[i][0] = i + 1;
        }
        return v;
    }

    private static List<WeightedTokenizer.WeightedToken> firstChunk(WeightedTokenizer.Chunks c) {
        return c.chunks().get(0);
    }

    @Test
    void anEmbeddingTakesOnePositionPerVectorWithTheSegmentWeightAndItsOwnWordId() {
        MapLookup lookup = new MapLookup(Map.of("style", vectors(3)));
        WeightedTokenizer.Chunks c = TOK.tokenize("a photo, (embedding:style:1.2) cat", lookup);
        List<WeightedTokenizer.WeightedToken> chunk = firstChunk(c);
        int[] photo = ClipTokenizer.standard().encode("a photo, ");
        int at = 1 + photo.length;
        for (int i = 0; i < 3; i++) {
            WeightedTokenizer.WeightedToken t = chunk.get(at + i);
            assertEquals(WeightedTokenizer.VECTOR_TOKEN, t.token());
            assertEquals(1.2, t.weight());
            assertEquals(2, t.wordId());
            assertEquals(i + 1, t.vector()[0]);
        }
        assertNull(chunk.get(at + 3).vector());
        assertEquals(ClipTokenizer.standard().encode(" cat")[0], chunk.get(at + 3).token());
        assertEquals(3, chunk.get(at + 3).wordId());
        assertTrue(c.hasVectors());
        assertEquals(List.of("style"), lookup.asked);
    }

    @Test
    void withoutALookupTheReferenceIsText() {
        WeightedTokenizer.Chunks plain = TOK.tokenize("a embedding:style");
        assertEquals(plain, TOK.tokenize("a embedding:style", EmbeddingLookup.NONE));
        assertTrue(!plain.hasVectors());
        assertTrue(plain.count() == 1 && firstChunk(plain).get(2).token() != WeightedTokenizer.VECTOR_TOKEN);
    }

    @Test
    void aMissingEmbeddingIsReportedAndDroppedWhileTheTextAfterItStays() {
        MapLookup lookup = new MapLookup(Map.of());
        WeightedTokenizer.Chunks c = TOK.tokenize("a photo of embedding:nothere cat", lookup);
        assertEquals(List.of("nothere"), lookup.missing);
        assertArrayEquals(TOK.tokenize("a photo of cat").tokens(), c.tokens());
    }

    @Test
    void trailingCommasAreRetriedWithoutAndGoBackIntoTheText() {
        MapLookup lookup = new MapLookup(Map.of("style", vectors(1)));
        WeightedTokenizer.Chunks c = TOK.tokenize("embedding:style,, cat", lookup);
        assertEquals(List.of("style,,", "style"), lookup.asked);
        assertTrue(lookup.missing.isEmpty());
        List<WeightedTokenizer.WeightedToken> chunk = firstChunk(c);
        assertEquals(1, chunk.get(1).vector()[0]);
        int[] rest = ClipTokenizer.standard().encode(",, cat");
        for (int i = 0; i < rest.length; i++) {
            assertEquals(rest[i], chunk.get(2 + i).token());
        }
    }

    @Test
    void aLongEmbeddingIsSplitAtTheChunkBoundaryAndAShortOneMovesWhole() {
        String filler = "cat ".repeat(70).trim(); // 70 tokens
        assertEquals(70, ClipTokenizer.standard().encode(filler).length);
        WeightedTokenizer.Chunks longOne = TOK.tokenize(filler + " embedding:long",
                new MapLookup(Map.of("long", vectors(10))));
        assertEquals(2, longOne.count());
        assertEquals(5, longOne.chunks().get(0).stream().filter(t -> t.vector() != null).count());
        assertEquals(5, longOne.chunks().get(1).stream().filter(t -> t.vector() != null).count());
        assertEquals(ClipTokenizer.EOS, longOne.chunks().get(0).get(76).token());

        WeightedTokenizer.Chunks shortOne = TOK.tokenize(filler + " cat cat cat cat embedding:short",
                new MapLookup(Map.of("short", vectors(3))));
        assertEquals(2, shortOne.count());
        assertEquals(0, shortOne.chunks().get(0).stream().filter(t -> t.vector() != null).count());
        assertEquals(1, shortOne.chunks().get(1).get(1).vector()[0]);
    }

    @Test
    void referencedNamesForCacheKeys() {
        assertEquals(List.of("a", "b,", "b", "sub/c"),
                WeightedTokenizer.embeddingNames("x embedding:a (embedding:b,:1.2)\nembedding:sub/c rest"));
        assertEquals(List.of(), WeightedTokenizer.embeddingNames("no embeddings here"));
        assertEquals(List.of(), WeightedTokenizer.embeddingNames("xembedding:a")); // not at a word start
    }
}
