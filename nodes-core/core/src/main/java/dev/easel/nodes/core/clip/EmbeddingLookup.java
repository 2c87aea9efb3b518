package dev.easel.nodes.core.clip;

/**
 * What {@link WeightedTokenizer} asks when a prompt says {@code embedding:name}: the textual-inversion vectors
 * (Gal et al. 2022, "An Image is Worth One Word", arXiv:2208.01618) of that name for one text-encoder tower. One
 * lookup serves one tower (its width and its key in multi-tower files are the lookup's business, see
 * {@link Embeddings#forTower}), so the tokenizer itself knows nothing of files.
 */
public interface EmbeddingLookup {

    /** No embeddings folder: {@code embedding:name} stays prompt text, as in ComfyUI without one. */
    EmbeddingLookup NONE = new EmbeddingLookup() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public float[][] find(String name) {
            return null;
        }

        @Override
        public void missing(String name) {
        }
    };

    /** False when {@code embedding:} is plain text. */
    boolean enabled();

    /**
     * The vectors of embedding {@code name} (as written after {@code embedding:}), one row per token position, each
     * as wide as the tower. {@code null} when no file has that name (silently: the tokenizer may retry another
     * spelling, then calls {@link #missing}); an empty array when a file was found but cannot be used (unreadable,
     * other width), which the lookup has already reported.
     */
    float[][] find(String name);

    /** Reports that nothing was found for {@code name}; the prompt is encoded without it. */
    void missing(String name);
}
