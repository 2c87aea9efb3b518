package dev.easel.nodes.core.clip;

import static org.bytedeco.pytorch.global.torch.full;
import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.layer_norm;
import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.scaled_dot_product_attention;

import dev.easel.node.RefCounted;
import dev.easel.nodes.core.model.WeightsPlaceable;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.runtime.Torch;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The CLIP text transformer (Radford et al. 2021, arXiv:2103.00020; architecture as in github.com/openai/CLIP
 * {@code clip/model.py} and the transformers {@code CLIPTextModel} weight names that SD1 checkpoints use under
 * {@code cond_stage_model.transformer.text_model.}): token + position embeddings, pre-LayerNorm residual blocks with
 * causal multi-head self-attention and a quick-GELU MLP ({@code x·sigmoid(1.702x)}), a final LayerNorm.
 *
 * <p>Weights (names relative to {@code text_model.}): {@code embeddings.token_embedding.weight} [vocab, width],
 * {@code embeddings.position_embedding.weight} [positions, width], {@code encoder.layers.N.{layer_norm1, layer_norm2,
 * self_attn.{q,k,v,out}_proj, mlp.fc1, mlp.fc2}.{weight,bias}}, {@code final_layer_norm.{weight,bias}}. They are
 * used in float32 (other dtypes are up-cast per call), on the device they live on.
 *
 * <p>Layer indices follow ComfyUI's {@code CLIPSetLastLayer}: −1 is the last layer, −2 the penultimate ("clip skip
 * 2"), …; 0, 1, … count from the first layer.
 *
 * <p>Lifetime: the model owns its {@link StateDict} and counts owners through it ({@link #retain()} /
 * {@link #release()} delegate to the dict), so the engine and caches can own models like any other native value.
 * Stateless per call and thread-safe while retained.
 */
public final class ClipTextModel implements RefCounted, WeightsPlaceable {

    /**
     * Architecture parameters.
     *
     * @param quickGelu the MLP activation: OpenAI's CLIP uses quick-GELU ({@code x·sigmoid(1.702x)}), the OpenCLIP
     *     towers of SD2.x and SDXL the exact (erf) GELU
     */
    public record Config(int width, int layers, int heads, int intermediate, int vocab, int positions,
                         double layerNormEps, int eosToken, boolean quickGelu) {
        public Config {
            if (width <= 0 || layers <= 0 || heads <= 0 || width % heads != 0) {
                throw new IllegalArgumentException("bad CLIP config: width " + width + ", layers " + layers
                        + ", heads " + heads);
            }
        }

        /** An OpenAI CLIP config (quick-GELU). */
        public Config(int width, int layers, int heads, int intermediate, int vocab, int positions,
                      double layerNormEps, int eosToken) {
            this(width, layers, heads, intermediate, vocab, positions, layerNormEps, eosToken, true);
        }

        /** The same config with the exact GELU (OpenCLIP). */
        public Config withGelu() {
            return new Config(width, layers, heads, intermediate, vocab, positions, layerNormEps, eosToken, false);
        }

        /** The config of the weights in {@code sd} with {@link #detectHeads(int)} heads. */
        public static Config detect(StateDict sd) {
            return detect(sd, -1);
        }

        /**
         * The config of the weights in {@code sd}: width and vocabulary from the token embedding, positions from the
         * position embedding, MLP width from {@code fc1}, layers by counting {@code encoder.layers.N}; heads as given
         * ({@code heads <= 0}: {@link #detectHeads(int)}), since the weights do not determine them.
         */
        public static Config detect(StateDict sd, int heads) {
            long[] tok = sd.get("embeddings.token_embedding.weight").shape();
            long[] pos = sd.get("embeddings.position_embedding.weight").shape();
            long[] fc1 = sd.get("encoder.layers.0.mlp.fc1.weight").shape();
            int layers = 0;
            Pattern layer = Pattern.compile("^encoder\\.layers\\.(\\d+)\\.");
            for (String key : sd.keys()) {
                Matcher m = layer.matcher(key);
                if (m.find()) {
                    layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
                }
            }
            int width = (int) tok[1];
            return new Config(width, layers, heads > 0 ? heads : detectHeads(width), (int) fc1[0], (int) tok[0],
                    (int) pos[0], 1e-5, ClipTokenizer.EOS);
        }
    }

    /**
     * The number of attention heads for a text-encoder width, which the weights do not tell. Real CLIP text towers
     * use a head size of 64 (ViT-L/14 768 → 12, ViT-H 1024 → 16, ViT-bigG 1280 → 20): widths of 512 and more give
     * {@code width / 64}. Below that are only the test fixtures' tiny configs, which use 4 heads at width 64 (head
     * size 16, {@code sd15_configs.json}) and 2 heads at width 8 (the tiny SDXL/SD2 towers): width ≥ 64 gives
     * {@code width / 16}, smaller widths {@code width / 4}. Pass the heads explicitly for anything else.
     */
    public static int detectHeads(int width) {
        if (width >= 512 && width % 64 == 0) {
            return width / 64;
        }
        if (width >= 64 && width % 16 == 0) {
            return width / 16;
        }
        if (width >= 4 && width % 4 == 0) {
            return width / 4;
        }
        return 1;
    }

    /** Hidden states of one forward pass, attached to the caller's pointer scope. */
    public record Output(Tensor last, Tensor hidden, Tensor pooled) {
    }

    private final StateDict weights;
    private final Config config;

    /**
     * A model over {@code weights} (the {@code text_model.} sub-dict), taking over the caller's reference to it: the
     * model starts with one owner, and the dict is released when the model's last owner releases it. A caller that
     * wants to keep the dict as well retains it first.
     */
    public ClipTextModel(StateDict weights, Config config) {
        this.weights = Objects.requireNonNull(weights, "weights");
        this.config = Objects.requireNonNull(config, "config");
        Torch.load();
    }

    /** {@link #ClipTextModel(StateDict, Config)} with {@link Config#detect(StateDict)}. */
    public static ClipTextModel load(StateDict weights) {
        return new ClipTextModel(weights, Config.detect(weights));
    }

    /**
     * An OpenCLIP text tower ({@link OpenClipLayout} names, exact GELU) over {@code openClip}, which is released
     * here: the model holds the renamed dict, which shares the tensors.
     */
    public static ClipTextModel loadOpenClip(StateDict openClip) {
        StateDict renamed;
        try {
            renamed = OpenClipLayout.toTextModelNames(openClip);
        } finally {
            openClip.release();
        }
        try {
            return new ClipTextModel(renamed, Config.detect(renamed).withGelu());
        } catch (RuntimeException e) {
            renamed.release();
            throw e;
        }
    }

    /** True when the tower projects its pooled output ({@link OpenClipLayout#TEXT_PROJECTION}; OpenCLIP). */
    public boolean projectsPooled() {
        return weights.has(OpenClipLayout.TEXT_PROJECTION);
    }

    /**
     * The pooled output times the text projection ({@code pooled @ P}, P = [width, projection] as open_clip stores
     * it); the pooled output itself when the tower has no projection. Attached to the caller's scope.
     */
    public Tensor projectPooled(Tensor pooled) {
        if (!projectsPooled()) {
            return pooled;
        }
        return pooled.to(ScalarType.Float).matmul(w(OpenClipLayout.TEXT_PROJECTION));
    }

    public Config config() {
        return config;
    }

    /** The weights (borrowed: valid while the model is). */
    public StateDict weights() {
        return weights;
    }

    @Override
    public void retain() {
        weights.retain();
    }

    @Override
    public void release() {
        weights.release();
    }

    @Override
    public long nativeBytes() {
        return weights.nativeBytes();
    }

    /** {@code layerIndex} (negative from the end) as a 0-based layer number. */
    public int resolveLayer(int layerIndex) {
        int i = layerIndex < 0 ? config.layers() + layerIndex : layerIndex;
        if (i < 0 || i >= config.layers()) {
            throw new IllegalArgumentException("layer index " + layerIndex + " out of range for "
                    + config.layers() + " layers");
        }
        return i;
    }

    /**
     * One forward pass over {@code tokens} ([B, T] integer ids, T ≤ positions).
     *
     * @param layerIndex the layer whose output {@link Output#hidden()} holds (−1 last, −2 penultimate, …)
     * @param normHidden whether {@code hidden} goes through the final LayerNorm (SD1: yes)
     * @return {@code last} = final LayerNorm of the last layer [B, T, width]; {@code hidden}; {@code pooled} [B,
     *         width] = {@code last} at the first {@code eosToken} of each row (row start when there is none)
     */
    public Output forward(Tensor tokens, int layerIndex, boolean normHidden) {
        return forward(tokens, null, null, layerIndex, normHidden);
    }

    /**
     * {@link #forward(Tensor, int, boolean)} where some positions take given input vectors instead of their token's
     * embedding (textual inversion, Gal et al. 2022, arXiv:2208.01618): {@code at} [K] indexes the flattened
     * [B·T] positions, {@code vectors} [K, width] are their vectors (rounded to the token embedding's dtype first,
     * as when ComfyUI writes them into its token table). Both null: plain tokens.
     */
    public Output forward(Tensor tokens, Tensor at, Tensor vectors, int layerIndex, boolean normHidden) {
        int target = resolveLayer(layerIndex);
        Tensor[] r = Scopes.returnToCaller(() -> compute(tokens, at, vectors, target, normHidden));
        return new Output(r[0], r[1], r[2]);
    }

    /** The final-LayerNorm'd last layer, [B, T, width]. */
    public Tensor lastHidden(Tensor tokens) {
        return forward(tokens, -1, true).last();
    }

    /** The output of layer {@code layerIndex}, optionally through the final LayerNorm, [B, T, width]. */
    public Tensor hidden(Tensor tokens, int layerIndex, boolean finalLayerNorm) {
        return forward(tokens, layerIndex, finalLayerNorm).hidden();
    }

    /** The pooled output, [B, width]. */
    public Tensor pooled(Tensor tokens) {
        return forward(tokens, -1, true).pooled();
    }

    private Tensor w(String name) {
        Tensor t = weights.get(name);
        return t.scalar_type().intern() == ScalarType.Float ? t : t.to(ScalarType.Float);
    }

    private Tensor[] compute(Tensor tokenInput, Tensor at, Tensor vectors, int target, boolean normHidden) {
        long[] shape = tokenInput.shape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("tokens must be [batch, length], got "
                    + java.util.Arrays.toString(shape));
        }
        long batch = shape[0];
        long length = shape[1];
        if (length > config.positions()) {
            throw new IllegalArgumentException("at most " + config.positions() + " tokens, got " + length);
        }
        Tensor tokenEmbedding = w("embeddings.token_embedding.weight");
        Device device = tokenEmbedding.device();
        Tensor tokens = tokenInput.to(device, ScalarType.Long);

        Tensor x = org.bytedeco.pytorch.global.torch.embedding(tokenEmbedding, tokens);
        if (vectors != null) {
            x = withVectors(x, at, vectors, batch, length);
        }
        x = x.add(w("embeddings.position_embedding.weight").narrow(0, 0, length));
        // Causal mask as ComfyUI builds it: -max_float above the diagonal, added to the scores.
        Tensor mask = full(new long[] {length, length}, new Scalar(-Float.MAX_VALUE),
                new TensorOptions(ScalarType.Float)).triu(1).to(device, ScalarType.Float);

        Tensor hidden = null;
        for (int i = 0; i < config.layers(); i++) { // all layers: pooled always comes from the last one
            x = block(x, "encoder.layers." + i + ".", mask, batch, length);
            if (i == target) {
                hidden = x;
            }
        }
        Tensor last = finalNorm(x);
        Tensor selected = normHidden ? (target == config.layers() - 1 ? last : finalNorm(hidden)) : hidden;

        // pooled = last[b, argmax(tokens[b] == eos)] (argmax gives the first maximum; 0 when there is no eos)
        Tensor eosAt = tokens.eq(new Scalar(config.eosToken())).to(ScalarType.Int)
                .argmax(new LongOptional(-1), false);
        Tensor index = eosAt.view(batch, 1, 1).expand(batch, 1, config.width());
        Tensor pooled = last.gather(1, index).squeeze(1);
        return new Tensor[] {last, selected, pooled};
    }

    private Tensor withVectors(Tensor x, Tensor at, Tensor vectors, long batch, long length) {
        long[] shape = vectors.shape();
        if (shape.length != 2 || shape[1] != config.width() || at == null || at.numel() != shape[0]) {
            throw new IllegalArgumentException("embedding vectors must be [positions, " + config.width() + "], got "
                    + java.util.Arrays.toString(shape));
        }
        ScalarType stored = weights.get("embeddings.token_embedding.weight").scalar_type();
        Tensor rows = vectors.to(x.device(), stored).to(ScalarType.Float);
        return x.reshape(batch * length, config.width()).index_copy(0, at.to(x.device(), ScalarType.Long), rows)
                .view(batch, length, config.width());
    }

    private Tensor finalNorm(Tensor x) {
        return layerNorm(x, "final_layer_norm.");
    }

    private Tensor layerNorm(Tensor x, String prefix) {
        return layer_norm(x, new long[] {config.width()}, new TensorOptional(w(prefix + "weight")),
                new TensorOptional(w(prefix + "bias")), config.layerNormEps(), false);
    }

    private Tensor dense(Tensor x, String prefix) {
        return linear(x, w(prefix + "weight"), new TensorOptional(w(prefix + "bias")));
    }

    private Tensor block(Tensor x, String p, Tensor mask, long batch, long length) {
        int heads = config.heads();
        long headDim = config.width() / heads;
        Tensor h = layerNorm(x, p + "layer_norm1.");
        Tensor q = dense(h, p + "self_attn.q_proj.").view(batch, length, heads, headDim).transpose(1, 2);
        Tensor k = dense(h, p + "self_attn.k_proj.").view(batch, length, heads, headDim).transpose(1, 2);
        Tensor v = dense(h, p + "self_attn.v_proj.").view(batch, length, heads, headDim).transpose(1, 2);
        // softmax(q·kᵀ/√d + mask)·v
        Tensor a = scaled_dot_product_attention(q, k, v, new TensorOptional(mask), 0.0, false, new DoubleOptional(),
                false);
        a = a.transpose(1, 2).reshape(batch, length, config.width());
        x = x.add(dense(a, p + "self_attn.out_proj."));

        Tensor m = dense(layerNorm(x, p + "layer_norm2."), p + "mlp.fc1.");
        m = config.quickGelu() ? m.mul(m.mul(new Scalar(1.702)).sigmoid()) : gelu(m);
        return x.add(dense(m, p + "mlp.fc2."));
    }
}
