package dev.easel.nodes.core.clip;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * ComfyUI's CLIPTextEncode for an SD1-style CLIP ({@code ClipTokenWeightEncoder.encode_token_weights}): the prompt is
 * split into weighted 77-token chunks ({@link WeightedTokenizer}); all chunks go through the text model in one batch;
 * when any weight differs from 1, an "empty" chunk (BOS, EOS, padding) is encoded in the same batch and every token
 * whose weight {@code w != 1} becomes {@code z' = (z − z_empty)·w + z_empty} with {@code z_empty} the empty chunk's
 * vector at the same position (w rounded to float32, as a Python float times a float32 tensor); the chunks are
 * concatenated along the token axis into {@code [1, 77·chunks, width]}. The pooled output is that of the first chunk
 * (times the text projection for OpenCLIP towers).
 *
 * <p>The model is borrowed: the caller keeps it retained while encoding.
 */
public final class ClipTextEncoder {

    /** Conditioning and pooled output, attached to the caller's pointer scope. */
    public record Encoded(Tensor cond, Tensor pooled, WeightedTokenizer.Chunks chunks) {
    }

    private final ClipTextModel model;
    private final WeightedTokenizer tokenizer;
    private final boolean normHidden;

    /** SD1: hidden states of an earlier layer (clip skip) go through the final LayerNorm. */
    public ClipTextEncoder(ClipTextModel model, WeightedTokenizer tokenizer) {
        this(model, tokenizer, true);
    }

    /**
     * @param normHidden whether a layer chosen by a layer index other than the last goes through the final LayerNorm
     *                   (ComfyUI's {@code layer_norm_hidden_state}: true for SD1, false for SDXL's CLIP-L)
     */
    public ClipTextEncoder(ClipTextModel model, WeightedTokenizer tokenizer, boolean normHidden) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.normHidden = normHidden;
    }

    public WeightedTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Layer index meaning "the model's final output" (ComfyUI's default {@code layer = "last"}, i.e. no
     * CLIPSetLastLayer): the final-LayerNorm'd last layer whatever {@code normHidden} says. Indices beyond the layer
     * count mean the same, as in ComfyUI's {@code clip_layer}.
     */
    public static final int LAST = Integer.MIN_VALUE;

    /** CLIPTextEncode without CLIPSetLastLayer ({@link #LAST}). */
    public Encoded encode(String prompt) {
        return encode(prompt, LAST);
    }

    /**
     * CLIPTextEncode after CLIPSetLastLayer({@code layerIndex}): −1 last layer, −2 penultimate, …, the chosen layer
     * going through the final LayerNorm when {@code normHidden} (for SD1, −1 equals {@link #LAST}).
     */
    public Encoded encode(String prompt, int layerIndex) {
        return encode(tokenizer.tokenize(prompt), layerIndex);
    }

    /** {@link #encode(String, int)} with {@code embedding:name} looked up in this tower's {@code embeddings}. */
    public Encoded encode(String prompt, int layerIndex, EmbeddingLookup embeddings) {
        return encode(tokenizer.tokenize(prompt, embeddings), layerIndex);
    }

    /** Encodes already tokenized chunks ({@code layerIndex} as in {@link #encode(String, int)}). */
    public Encoded encode(WeightedTokenizer.Chunks chunks, int layerIndex) {
        int layers = model.config().layers();
        boolean last = layerIndex < -layers || layerIndex > layers; // ComfyUI: abs(layer_idx) > num_layers → "last"
        int index = last ? -1 : layerIndex;
        Tensor[] r = Scopes.returnToCaller(() -> compute(chunks, index, last));
        return new Encoded(r[0], r[1], chunks);
    }

    private Tensor[] compute(WeightedTokenizer.Chunks chunks, int layerIndex, boolean last) {
        int n = chunks.count();
        if (n == 0) {
            throw new IllegalArgumentException("no chunks");
        }
        int length = chunks.length();
        boolean weighted = chunks.hasWeights();
        int rows = weighted ? n + 1 : n;
        long[] flat = new long[rows * length];
        long[][] tokens = chunks.tokens();
        for (int c = 0; c < n; c++) {
            if (tokens[c].length != length) {
                throw new IllegalArgumentException("chunks of different lengths");
            }
            System.arraycopy(tokens[c], 0, flat, c * length, length);
        }
        if (weighted) {
            System.arraycopy(tokenizer.emptyChunk(length), 0, flat, n * length, length);
        }
        Tensor batch = Tensor.create(flat, rows, length);
        Tensor[] vectors = chunks.hasVectors() ? vectors(chunks) : new Tensor[2];
        ClipTextModel.Output out = model.forward(batch, vectors[0], vectors[1], layerIndex, normHidden);
        Tensor z = last ? out.last() : out.hidden();
        Tensor pooled = model.projectPooled(out.pooled().narrow(0, 0, 1));
        Tensor cond = z.narrow(0, 0, n);
        if (weighted) {
            double[][] w = chunks.weights();
            float[] wf = new float[n * length];
            boolean[] apply = new boolean[n * length];
            for (int c = 0; c < n; c++) {
                for (int i = 0; i < length; i++) {
                    wf[c * length + i] = (float) w[c][i];
                    apply[c * length + i] = w[c][i] != 1.0;
                }
            }
            Tensor weights = Tensor.create(wf, n, length, 1).to(z.device(), ScalarType.Float);
            Tensor applyMask = Tensor.create(apply, n, length, 1).to(z.device(), ScalarType.Bool);
            Tensor empty = z.narrow(0, n, 1);
            Tensor reweighted = cond.sub(empty).mul(weights).add(empty);
            cond = reweighted.where(applyMask, cond);
        }
        // [n, length, width] → [1, n·length, width]
        cond = cond.reshape(1, (long) n * length, z.size(2));
        return new Tensor[] {cond, pooled};
    }

    /** The positions (flattened over [chunk, position]) that carry embedding vectors, and the vectors. */
    private static Tensor[] vectors(WeightedTokenizer.Chunks chunks) {
        List<float[]> found = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        int length = chunks.length();
        for (int c = 0; c < chunks.count(); c++) {
            List<WeightedTokenizer.WeightedToken> chunk = chunks.chunks().get(c);
            for (int i = 0; i < chunk.size(); i++) {
                if (chunk.get(i).vector() != null) {
                    at.add((long) c * length + i);
                    found.add(chunk.get(i).vector());
                }
            }
        }
        int width = found.get(0).length;
        float[] flat = new float[found.size() * width];
        for (int k = 0; k < found.size(); k++) {
            if (found.get(k).length != width) {
                throw new IllegalArgumentException("embedding vectors of different widths");
            }
            System.arraycopy(found.get(k), 0, flat, k * width, width);
        }
        long[] positions = at.stream().mapToLong(Long::longValue).toArray();
        return new Tensor[] {Tensor.create(positions, positions.length), Tensor.create(flat, found.size(), width)};
    }
}
