package dev.easel.nodes.core.clip;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * ComfyUI's {@code SDTokenizer.tokenize_with_weights} (current rule) for SD1-style CLIP: the prompt is split into
 * weighted segments ({@link PromptParser}), each segment is tokenized as a whole (one "word" group, so all its tokens
 * share one word id), and the groups are packed into chunks of {@code maxLength} (77) tokens: BOS, up to 75 tokens,
 * EOS, then padding.
 *
 * <p>A group that does not fit in the current chunk is split exactly at the chunk boundary when it has at least
 * {@value #MAX_WORD_LENGTH} tokens; a shorter group moves whole to the next chunk (the current chunk is closed with EOS
 * and padding). Word ids: 0 for BOS/EOS/padding, otherwise 1 + the index of the group (groups include the empty ones
 * of segments that produce no tokens, as in ComfyUI).
 *
 * <p>Within a segment the text is further cut before every {@code " embedding:"} / {@code "\nembedding:"}, as ComfyUI
 * does. With an {@link EmbeddingLookup} such a piece names a textual-inversion embedding (Gal et al. 2022,
 * arXiv:2208.01618): its first whitespace-separated word is the name, and its vectors become one group with the
 * segment's weight, one position per vector, packed like a word (so a long one may cross a chunk boundary); the rest
 * of the piece is tokenized as text. A name that finds nothing is retried without surrounding commas (the commas then
 * go back into the text); one that still finds nothing is reported and left out. Without a lookup
 * ({@link EmbeddingLookup#NONE}) the pieces are plain text, as in ComfyUI without an embeddings folder.
 */
public final class WeightedTokenizer {

    /** Groups at least this long may be split across chunks. */
    public static final int MAX_WORD_LENGTH = 8;
    /** SD1 chunk length. */
    public static final int MAX_LENGTH = 77;

    private static final String EMBEDDING = "embedding:";
    private static final Pattern EMBEDDING_SPLIT = Pattern.compile(" " + EMBEDDING + "|\n" + EMBEDDING);

    /**
     * One position of a chunk: a token id, or an embedding vector ({@code vector} not null; {@code token} is then
     * {@link #VECTOR_TOKEN}, whose row the text model overwrites with the vector).
     */
    public record WeightedToken(int token, double weight, int wordId, float[] vector) {
        public WeightedToken(int token, double weight, int wordId) {
            this(token, weight, wordId, null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof WeightedToken t && token == t.token && Double.compare(weight, t.weight) == 0
                    && wordId == t.wordId && java.util.Arrays.equals(vector, t.vector);
        }

        @Override
        public int hashCode() {
            return Objects.hash(token, weight, wordId) * 31 + java.util.Arrays.hashCode(vector);
        }

        @Override
        public String toString() {
            return "WeightedToken[" + (vector == null ? "token=" + token : "vector[" + vector.length + "]")
                    + ", weight=" + weight + ", wordId=" + wordId + "]";
        }
    }

    /**
     * The token id at positions that carry an embedding vector: any id but EOS would do (the pooled output is taken
     * at the first EOS, and the row itself is replaced).
     */
    public static final int VECTOR_TOKEN = 0;

    /** The chunks of one prompt, each exactly {@code maxLength} long. */
    public record Chunks(List<List<WeightedToken>> chunks) {
        public Chunks {
            List<List<WeightedToken>> copy = new ArrayList<>(chunks.size());
            for (List<WeightedToken> c : chunks) {
                copy.add(List.copyOf(c));
            }
            chunks = Collections.unmodifiableList(copy);
        }

        public int count() {
            return chunks.size();
        }

        public int length() {
            return chunks.isEmpty() ? 0 : chunks.get(0).size();
        }

        /** Token ids, [chunk][position]. */
        public long[][] tokens() {
            long[][] out = new long[chunks.size()][];
            for (int c = 0; c < out.length; c++) {
                List<WeightedToken> chunk = chunks.get(c);
                out[c] = new long[chunk.size()];
                for (int i = 0; i < chunk.size(); i++) {
                    out[c][i] = chunk.get(i).token();
                }
            }
            return out;
        }

        /** Weights, [chunk][position]. */
        public double[][] weights() {
            double[][] out = new double[chunks.size()][];
            for (int c = 0; c < out.length; c++) {
                List<WeightedToken> chunk = chunks.get(c);
                out[c] = new double[chunk.size()];
                for (int i = 0; i < chunk.size(); i++) {
                    out[c][i] = chunk.get(i).weight();
                }
            }
            return out;
        }

        /** True when some position carries an embedding vector. */
        public boolean hasVectors() {
            for (List<WeightedToken> chunk : chunks) {
                for (WeightedToken t : chunk) {
                    if (t.vector() != null) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** True when some token has a weight other than exactly 1. */
        public boolean hasWeights() {
            for (List<WeightedToken> chunk : chunks) {
                for (WeightedToken t : chunk) {
                    if (t.weight() != 1.0) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private final ClipTokenizer tokenizer;
    private final int maxLength;
    private final int startToken;
    private final int endToken;
    private final int padToken;

    /** SD1 CLIP-L: BOS 49406, EOS 49407, padding with EOS, 77 per chunk. */
    public WeightedTokenizer(ClipTokenizer tokenizer) {
        this(tokenizer, MAX_LENGTH, ClipTokenizer.BOS, ClipTokenizer.EOS, ClipTokenizer.EOS);
    }

    /**
     * @param padToken 49407 for SD1 CLIP-L, 0 for the OpenCLIP towers (SD2, SDXL bigG)
     */
    public WeightedTokenizer(ClipTokenizer tokenizer, int maxLength, int startToken, int endToken, int padToken) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        if (maxLength < 3) {
            throw new IllegalArgumentException("maxLength " + maxLength);
        }
        this.maxLength = maxLength;
        this.startToken = startToken;
        this.endToken = endToken;
        this.padToken = padToken;
    }

    public int padToken() {
        return padToken;
    }

    public int maxLength() {
        return maxLength;
    }

    /** The chunks of {@code prompt} (at least one; the empty prompt gives BOS, EOS, padding); no embeddings. */
    public Chunks tokenize(String prompt) {
        return tokenize(prompt, EmbeddingLookup.NONE);
    }

    /** The chunks of {@code prompt}, with {@code embedding:name} looked up in {@code embeddings}. */
    public Chunks tokenize(String prompt, EmbeddingLookup embeddings) {
        List<List<WeightedToken>> groups = new ArrayList<>();
        for (PromptParser.Segment segment : PromptParser.parse(prompt)) {
            double weight = segment.weight();
            for (String word : splitEmbeddings(segment.text())) {
                if (embeddings.enabled() && word.startsWith(EMBEDDING)) {
                    word = addEmbedding(word.substring(EMBEDDING.length()), weight, embeddings, groups);
                    if (word.isEmpty()) {
                        continue;
                    }
                }
                int[] ids = tokenizer.encode(word);
                List<WeightedToken> group = new ArrayList<>(ids.length);
                for (int id : ids) {
                    group.add(new WeightedToken(id, weight, 0));
                }
                groups.add(group);
            }
        }
        return pack(groups);
    }

    /** The reference of one {@code embedding:} piece: the name, and the text after it that is tokenized as text. */
    private record Reference(String name, String rest) {
        static Reference of(String afterIdentifier) {
            List<String> words = pythonSplit(strip(afterIdentifier, '\n'));
            String name = words.isEmpty() ? "" : words.get(0);
            return new Reference(name, String.join(" ", words.subList(Math.min(1, words.size()), words.size())));
        }
    }

    /** Adds the group of the embedding named at the start of {@code afterIdentifier}; returns the leftover text. */
    private static String addEmbedding(String afterIdentifier, double weight, EmbeddingLookup embeddings,
                                       List<List<WeightedToken>> groups) {
        Reference ref = Reference.of(afterIdentifier);
        String leftover = ref.rest();
        float[][] vectors = embeddings.find(ref.name());
        if (vectors == null) {
            // "embedding:name," — ComfyUI retries without the commas and tokenizes them (its exact slice kept)
            String stripped = strip(ref.name(), ',');
            if (stripped.length() < ref.name().length()) {
                vectors = embeddings.find(stripped);
                leftover = ref.name().substring(stripped.length()) + " " + leftover;
            }
        }
        if (vectors == null) {
            embeddings.missing(ref.name());
        } else {
            List<WeightedToken> group = new ArrayList<>(vectors.length);
            for (float[] v : vectors) {
                group.add(new WeightedToken(VECTOR_TOKEN, weight, 0, v));
            }
            groups.add(group);
        }
        return leftover;
    }

    /**
     * The embedding names {@code prompt} refers to (with and without surrounding commas), in order, without looking
     * anything up: what a cache key must cover.
     */
    public static List<String> embeddingNames(String prompt) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        if (!prompt.contains(EMBEDDING)) {
            return List.of();
        }
        for (PromptParser.Segment segment : PromptParser.parse(prompt)) {
            for (String word : splitEmbeddings(segment.text())) {
                if (word.startsWith(EMBEDDING)) {
                    String name = Reference.of(word.substring(EMBEDDING.length())).name();
                    names.add(name);
                    names.add(strip(name, ','));
                }
            }
        }
        names.remove("");
        return List.copyOf(names);
    }

    /** Python's {@code s.strip(c)}. */
    private static String strip(String s, char c) {
        int begin = 0;
        int end = s.length();
        while (begin < end && s.charAt(begin) == c) {
            begin++;
        }
        while (end > begin && s.charAt(end - 1) == c) {
            end--;
        }
        return s.substring(begin, end);
    }

    /** Python's {@code s.split()}: words between runs of white space. */
    private static List<String> pythonSplit(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && ClipTokenizer.isPythonSpace(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            int start = i;
            while (i < s.length() && !ClipTokenizer.isPythonSpace(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            if (i > start) {
                out.add(s.substring(start, i));
            }
        }
        return out;
    }

    /** The chunk ComfyUI encodes as "empty" for a chunk of {@code length}: BOS, EOS, then padding. */
    public long[] emptyChunk(int length) {
        long[] out = new long[length];
        java.util.Arrays.fill(out, padToken);
        out[0] = startToken;
        if (length > 1) {
            out[1] = endToken;
        }
        return out;
    }

    private static List<String> splitEmbeddings(String text) {
        String[] parts = EMBEDDING_SPLIT.split(text, -1);
        List<String> out = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            String word = i == 0 ? parts[0] : EMBEDDING + parts[i];
            if (!word.isEmpty()) {
                out.add(word);
            }
        }
        return out;
    }

    private Chunks pack(List<List<WeightedToken>> groups) {
        List<List<WeightedToken>> chunks = new ArrayList<>();
        List<WeightedToken> chunk = newChunk();
        chunks.add(chunk);
        for (int g = 0; g < groups.size(); g++) {
            int wordId = g + 1;
            List<WeightedToken> group = groups.get(g);
            boolean large = group.size() >= MAX_WORD_LENGTH;
            int from = 0;
            while (from < group.size()) {
                int left = group.size() - from;
                if (left + chunk.size() > maxLength - 1) {
                    int room = maxLength - chunk.size() - 1;
                    if (large) {
                        for (int i = from; i < from + room; i++) {
                            chunk.add(withWordId(group.get(i), wordId));
                        }
                        from += room;
                        chunk.add(special(endToken));
                    } else {
                        chunk.add(special(endToken));
                        for (int i = 0; i < room; i++) {
                            chunk.add(special(padToken));
                        }
                    }
                    chunk = newChunk();
                    chunks.add(chunk);
                } else {
                    for (int i = from; i < group.size(); i++) {
                        chunk.add(withWordId(group.get(i), wordId));
                    }
                    from = group.size();
                }
            }
        }
        chunk.add(special(endToken));
        while (chunk.size() < maxLength) {
            chunk.add(special(padToken));
        }
        return new Chunks(chunks);
    }

    private List<WeightedToken> newChunk() {
        List<WeightedToken> chunk = new ArrayList<>(maxLength);
        chunk.add(special(startToken));
        return chunk;
    }

    private static WeightedToken special(int token) {
        return new WeightedToken(token, 1.0, 0);
    }

    private static WeightedToken withWordId(WeightedToken t, int wordId) {
        return new WeightedToken(t.token(), t.weight(), wordId, t.vector());
    }
}
