package dev.easel.nodes.core.unet;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.chunk;
import static org.bytedeco.pytorch.global.torch.conv2d;
import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.group_norm;
import static org.bytedeco.pytorch.global.torch.layer_norm;
import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.silu;
import static org.bytedeco.pytorch.global.torch.upsample_nearest2d;

import dev.easel.node.RefCounted;
import dev.easel.nodes.core.model.WeightsPlaceable;
import dev.easel.nodes.core.model.StateDict;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The latent-diffusion UNet of Rombach et al. 2022 ("High-Resolution Image Synthesis with Latent Diffusion Models",
 * CVPR 2022; the {@code openaimodel.UNetModel} of the LDM / Stable Diffusion code), evaluated with functional libtorch
 * ops straight from the checkpoint's weights (original LDM key names, without the {@code model.diffusion_model.}
 * prefix). Driven by a {@link UNetConfig}: SD1.x (conv projections, 8 heads), SD2.x (linear projections, 64-wide
 * heads) and SDXL (per-level transformer depths, no attention at level 0, the {@code y} / {@code label_emb} input).
 *
 * <p>Structure: a sinusoidal timestep embedding (cos half first) through {@code time_embed}; {@code input_blocks}
 * (conv_in, then per level ResBlocks each optionally followed by a SpatialTransformer, then a stride-2 downsampler
 * except at the last level), each block's output saved as a skip; {@code middle_block} (ResBlock, SpatialTransformer,
 * ResBlock); {@code output_blocks} (concatenate the latest skip, ResBlock, optional SpatialTransformer, nearest ×2
 * upsampling to the next skip's size plus a 3×3 conv at the end of each level but the top); {@code out}
 * (GroupNorm, SiLU, 3×3 conv). {@link UNetPatches} hook into blocks, skips and attention.
 *
 * <p>Memory: every forward runs in the caller's {@link PointerScope} (its result belongs to it) and opens its own
 * scopes per block, so only block outputs and skips live until the end of the call. The model holds its
 * {@link StateDict} and is {@link RefCounted} by delegation to it: a new model takes one reference to the weights
 * (the caller keeps, and must release, its own), starts with one owner, and frees the weights' reference when the
 * last owner releases it. Thread-safe: forward keeps no state.
 */
public final class UNetModel implements RefCounted, WeightsPlaceable {

    private static final int GROUPS = 32;
    /** GroupNorm eps of ResBlocks and the output head (PyTorch's default). */
    private static final double NORM_EPS = 1e-5;
    /** GroupNorm eps in front of a SpatialTransformer. */
    private static final double TRANSFORMER_NORM_EPS = 1e-6;
    private static final double LAYER_NORM_EPS = 1e-5;

    private sealed interface Layer permits Conv, Res, Transformer, Up {
    }

    /** 3×3 convolution, padding 1: conv_in (stride 1) and downsamplers (stride 2). */
    private record Conv(String prefix, int stride) implements Layer {
    }

    private record Res(String prefix, boolean projectedSkip) implements Layer {
    }

    private record Transformer(String prefix, int depth, int heads) implements Layer {
    }

    /** Nearest ×2 (or to the next skip's size) then a 3×3 conv. */
    private record Up(String prefix) implements Layer {
    }

    private record Block(BlockId id, List<Layer> layers) {
    }

    private final StateDict weights;
    private final UNetConfig config;
    private final List<Block> inputBlocks = new ArrayList<>();
    private final Block middleBlock;
    private final List<Block> outputBlocks = new ArrayList<>();
    /** Only the time embedding, input blocks and middle block (a ControlNet's copy of the encoder). */
    private final boolean encoderOnly;
    private final AtomicInteger owners = new AtomicInteger(1);

    private UNetModel(StateDict weights, UNetConfig config, boolean encoderOnly) {
        this.weights = weights;
        this.config = config;
        this.encoderOnly = encoderOnly;
        List<Integer> skipChannels = new ArrayList<>();
        int ch = config.modelChannels();
        inputBlocks.add(new Block(BlockId.input(0), List.of(new Conv("input_blocks.0.0.", 1))));
        skipChannels.add(ch);
        int k = 0;
        for (int level = 0; level < config.levels(); level++) {
            int out = config.channels(level);
            for (int r = 0; r < config.numResBlocks().get(level); r++) {
                BlockId id = BlockId.input(inputBlocks.size());
                List<Layer> layers = new ArrayList<>();
                layers.add(new Res(id.keyPrefix() + "0.", ch != out));
                ch = out;
                int depth = config.transformerDepth().get(k++);
                if (depth > 0) {
                    layers.add(new Transformer(id.keyPrefix() + "1.", depth, config.heads(ch)));
                }
                inputBlocks.add(new Block(id, layers));
                skipChannels.add(ch);
            }
            if (level != config.levels() - 1) {
                BlockId id = BlockId.input(inputBlocks.size());
                inputBlocks.add(new Block(id, List.of(new Conv(id.keyPrefix() + "0.op.", 2))));
                skipChannels.add(ch);
            }
        }
        int mid = config.transformerDepthMiddle();
        if (mid >= -1) {
            List<Layer> layers = new ArrayList<>();
            layers.add(new Res("middle_block.0.", false));
            if (mid >= 0) {
                layers.add(new Transformer("middle_block.1.", mid, config.heads(ch)));
                layers.add(new Res("middle_block.2.", false));
            }
            middleBlock = new Block(BlockId.MIDDLE, layers);
        } else {
            middleBlock = null;
        }
        for (int level = config.levels() - 1; level >= 0 && !encoderOnly; level--) {
            int out = config.channels(level);
            int n = config.numResBlocks().get(level) + 1;
            for (int i = 0; i < n; i++) {
                BlockId id = BlockId.output(outputBlocks.size());
                int skip = skipChannels.remove(skipChannels.size() - 1);
                List<Layer> layers = new ArrayList<>();
                layers.add(new Res(id.keyPrefix() + "0.", ch + skip != out));
                ch = out;
                int depth = config.outputDepth(id.index());
                if (depth > 0) {
                    layers.add(new Transformer(id.keyPrefix() + "1.", depth, config.heads(ch)));
                }
                if (level > 0 && i == n - 1) {
                    layers.add(new Up(id.keyPrefix() + (depth > 0 ? "2." : "1.")));
                }
                outputBlocks.add(new Block(id, layers));
            }
        }
        for (String key : requiredKeys()) {
            weights.get(key); // a clear MissingWeightException now rather than in the middle of a forward
        }
        weights.retain();
    }

    /** A model over {@code unetWeights} (UNet keys without prefix) with the config detected from their shapes. */
    public static UNetModel load(StateDict unetWeights) {
        return load(unetWeights, UNetConfig.fromStateDict(unetWeights));
    }

    /**
     * A model over {@code unetWeights} (UNet keys without the {@code model.diffusion_model.} prefix). The model takes
     * its own reference to the weights; the caller still owns (and releases) the one it has.
     *
     * @throws StateDict.MissingWeightException when a weight the config needs is absent
     */
    public static UNetModel load(StateDict unetWeights, UNetConfig config) {
        return new UNetModel(Objects.requireNonNull(unetWeights, "unetWeights"), Objects.requireNonNull(config), false);
    }

    /**
     * The encoder half only (time and label embedding, input blocks, middle block), as a ControlNet carries it: no
     * output blocks or head are built or required; evaluate it with {@link #encode}, not {@link #forward}. Takes its
     * own reference to the weights, like {@link #load(StateDict, UNetConfig)}.
     */
    public static UNetModel encoder(StateDict weights, UNetConfig config) {
        return new UNetModel(Objects.requireNonNull(weights, "weights"), Objects.requireNonNull(config), true);
    }

    /** Changes the hidden state after an input block of {@link #encode} (a ControlNet adds its hint after block 0). */
    @FunctionalInterface
    public interface InputHook {
        Tensor afterInputBlock(int index, Tensor h);
    }

    /**
     * What {@link #encode} returns, owned by the caller's scope.
     *
     * @param inputs the output of every input block (after the hook), in block order
     * @param middle the middle block's output (the last input block's when there is no middle block)
     */
    public record Encoding(List<Tensor> inputs, Tensor middle) {
    }

    public UNetConfig config() {
        return config;
    }

    /** The weights (borrowed: valid while this model is). */
    public StateDict weights() {
        return weights;
    }

    /** {@code UNet(x, t, context)} without patches or {@code y}. */
    public Tensor forward(Tensor x, Tensor timesteps, Tensor context) {
        return forward(x, timesteps, context, null, UNetPatches.NONE);
    }

    /**
     * One UNet evaluation.
     *
     * @param x latent input [B, inChannels, h, w]
     * @param timesteps discrete timesteps [B] (any numeric dtype; used as float)
     * @param context cross-attention context [B, T, contextDim] (any T, e.g. 77·k), or {@code null} for a UNet
     *     without transformers
     * @param y the adm vector [B, admInChannels] when the config has one, else {@code null}
     * @param patches behaviour changes, {@link UNetPatches#NONE} for none
     * @return [B, outChannels, h, w], owned by the caller's pointer scope
     */
    public Tensor forward(Tensor x, Tensor timesteps, Tensor context, Tensor y, UNetPatches patches) {
        requireLive();
        Objects.requireNonNull(patches, "patches");
        if (encoderOnly) {
            throw new IllegalStateException("an encoder-only UNet over " + weights.source()
                    + " has no forward; use encode");
        }
        checkY(y);
        return CpuThreads.compute(x.is_cpu(), () -> scoped(() -> {
            ForwardContext fc = inputs(x, timesteps, context, y);

            Deque<Tensor> skips = new ArrayDeque<>();
            Tensor h = fc.x();
            for (Block block : inputBlocks) {
                h = runBlock(block, h, null, -1, null, fc, patches);
                skips.push(h);
            }
            if (middleBlock != null) {
                h = runBlock(middleBlock, h, null, -1, null, fc, patches);
            }
            for (Block block : outputBlocks) {
                Tensor skip = skips.pop();
                Tensor nextSkip = skips.peek();
                long[] upSize = nextSkip == null ? null : new long[] {nextSkip.size(2), nextSkip.size(3)};
                h = runBlock(block, h, skip, skips.size(), upSize, fc, patches);
            }
            Tensor out = silu(groupNorm(h, "out.0.", NORM_EPS));
            return conv(out, "out.2.", 1, 1);
        }));
    }

    /**
     * The encoder half of a forward: the input blocks (each followed by {@code hook}) and the middle block, without
     * patches. Works on full models and on {@link #encoder encoder-only} ones.
     *
     * @param x latent input [B, inChannels, h, w]
     * @param timesteps discrete timesteps [B]
     * @param context cross-attention context [B, T, contextDim], or {@code null}
     * @param y the adm vector when the config has one, else {@code null}
     */
    public Encoding encode(Tensor x, Tensor timesteps, Tensor context, Tensor y, InputHook hook) {
        requireLive();
        Objects.requireNonNull(hook, "hook");
        checkY(y);
        Tensor[] middle = new Tensor[1];
        List<Tensor> outputs = new ArrayList<>();
        CpuThreads.compute(x.is_cpu(), () -> scoped(() -> {
            ForwardContext fc = inputs(x, timesteps, context, y);
            Tensor h = fc.x();
            for (int i = 0; i < inputBlocks.size(); i++) {
                h = hook.afterInputBlock(i, runBlock(inputBlocks.get(i), h, null, -1, null, fc, UNetPatches.NONE));
                outputs.add(keep(h));
            }
            middle[0] = keep(middleBlock == null ? h : runBlock(middleBlock, h, null, -1, null, fc, UNetPatches.NONE));
            return middle[0];
        }));
        List<Tensor> owned = new ArrayList<>();
        for (Tensor t : outputs) {
            owned.add(handOver(t));
        }
        return new Encoding(owned, handOver(middle[0]));
    }

    private void checkY(Tensor y) {
        if ((config.admInChannels() != null) != (y != null)) {
            throw new IllegalArgumentException(config.admInChannels() != null
                    ? "this UNet needs a y vector of width " + config.admInChannels()
                    : "this UNet takes no y vector");
        }
    }

    /** The forward's inputs in the weights' dtype, and the time (+ label) embedding. */
    private ForwardContext inputs(Tensor x, Tensor timesteps, Tensor context, Tensor y) {
        ScalarType dtype = weights.get("input_blocks.0.0.weight").scalar_type().intern();
        Tensor xin = as(x, dtype);
        Tensor ctx = context == null ? null : as(context, dtype);
        Tensor yin = y == null ? null : as(y, dtype);
        Tensor emb = timestepEmbedding(timesteps, config.modelChannels());
        emb = linear(silu(linearLayer(as(emb, dtype), "time_embed.0.")), w("time_embed.2.weight"),
                b("time_embed.2.bias"));
        if (yin != null) {
            emb = emb.add(linearLayer(silu(linearLayer(yin, "label_emb.0.0.")), "label_emb.0.2."));
        }
        return new ForwardContext(xin, timesteps, ctx, yin, emb);
    }

    /** One more reference to {@code t}, so that it outlives the scope it was made in (see {@link #handOver}). */
    private static Tensor keep(Tensor t) {
        t.retainReference();
        return t;
    }

    /** A new handle on a {@link #keep kept} tensor, owned by the current scope; gives up the kept reference. */
    private static Tensor handOver(Tensor kept) {
        Tensor out = new Tensor(kept);
        kept.releaseReference();
        return out;
    }

    /**
     * The sinusoidal timestep embedding [B, dim]: half = dim/2, f_i = exp(−ln(10000)·i/half),
     * {@code cat(cos(t·f), sin(t·f))} (cos first), float32 (zero-padded when dim is odd).
     */
    public static Tensor timestepEmbedding(Tensor timesteps, int dim) {
        int half = dim / 2;
        Tensor t = timesteps.to(ScalarType.Float);
        Tensor freqs = arange(new Scalar((long) half), new TensorOptions(ScalarType.Float))
                .mul(new Scalar(-Math.log(10000.0)))
                .div(new Scalar((double) half))
                .exp()
                .to(t);
        Tensor args = t.reshape(-1, 1).mul(freqs.unsqueeze(0));
        Tensor emb = cat(new TensorVector(args.cos(), args.sin()), 1);
        if (dim % 2 == 1) {
            emb = cat(new TensorVector(emb, args.narrow(1, 0, 1).mul(new Scalar(0.0))), 1);
        }
        return emb;
    }

    private Tensor runBlock(Block block, Tensor h, Tensor skip, int skipIndex, long[] upSize, ForwardContext fc,
            UNetPatches patches) {
        return scoped(() -> {
            BlockCall.Body body = (hidden, skipIn) -> {
                Tensor x = hidden;
                if (skipIn != null) {
                    Tensor s = skipIn;
                    for (UNetPatches.SkipPatch patch : patches.skips()) {
                        s = patch.apply(skipIndex, block.id().index(), s, fc);
                    }
                    x = cat(new TensorVector(x, s), 1);
                }
                for (Layer layer : block.layers()) {
                    Tensor in = x;
                    x = scoped(() -> apply(layer, in, fc, block.id(), upSize, patches));
                }
                return x;
            };
            return new BlockCall(block.id(), h, skip, fc, patches.blocks(), 0, body).proceed();
        });
    }

    private Tensor apply(Layer layer, Tensor x, ForwardContext fc, BlockId id, long[] upSize, UNetPatches patches) {
        if (layer instanceof Conv c) {
            return conv(x, c.prefix(), c.stride(), 1);
        } else if (layer instanceof Res r) {
            return resBlock(r, x, fc.emb());
        } else if (layer instanceof Transformer t) {
            return spatialTransformer(t, x, fc, id, patches);
        } else {
            Up u = (Up) layer;
            long[] size = upSize != null ? upSize : new long[] {x.size(2) * 2, x.size(3) * 2};
            Tensor up = upsample_nearest2d(x, size, new DoubleOptional(), new DoubleOptional());
            return conv(up, u.prefix() + "conv.", 1, 1);
        }
    }

    private Tensor resBlock(Res r, Tensor x, Tensor emb) {
        String p = r.prefix();
        Tensor h = conv(silu(groupNorm(x, p + "in_layers.0.", NORM_EPS)), p + "in_layers.2.", 1, 1);
        Tensor e = linearLayer(silu(emb), p + "emb_layers.1.");
        h = h.add(e.unsqueeze(2).unsqueeze(3));
        h = conv(silu(groupNorm(h, p + "out_layers.0.", NORM_EPS)), p + "out_layers.3.", 1, 1);
        Tensor skip = r.projectedSkip() ? conv(x, p + "skip_connection.", 1, 0) : x;
        return skip.add(h);
    }

    private Tensor spatialTransformer(Transformer t, Tensor x, ForwardContext fc, BlockId id, UNetPatches patches) {
        String p = t.prefix();
        long b = x.size(0);
        long height = x.size(2);
        long width = x.size(3);
        Tensor h = groupNorm(x, p + "norm.", TRANSFORMER_NORM_EPS);
        if (!config.useLinearProj()) {
            h = conv(h, p + "proj_in.", 1, 0);
        }
        long inner = h.size(1);
        h = h.permute(0, 2, 3, 1).reshape(b, height * width, inner);
        if (config.useLinearProj()) {
            h = linearLayer(h, p + "proj_in.");
        }
        for (int k = 0; k < t.depth(); k++) {
            Tensor in = h;
            AttentionCall.Site site = new AttentionCall.Site(id, k, false);
            String prefix = p + "transformer_blocks." + k + ".";
            h = scoped(() -> transformerBlock(prefix, in, fc, site, t.heads(), patches)); // frees each block's temporaries
        }
        if (config.useLinearProj()) {
            h = linearLayer(h, p + "proj_out.");
        }
        h = h.reshape(b, height, width, h.size(2)).permute(0, 3, 1, 2);
        if (!config.useLinearProj()) {
            h = conv(h.contiguous(), p + "proj_out.", 1, 0);
        }
        return h.add(x);
    }

    private Tensor transformerBlock(String p, Tensor h, ForwardContext fc, AttentionCall.Site selfSite, int heads,
            UNetPatches patches) {
        Tensor n = layerNorm(h, p + "norm1.");
        h = attention(p + "attn1.", n, n, selfSite, heads, fc, patches).add(h);
        n = layerNorm(h, p + "norm2.");
        Tensor ctx = fc.context() != null ? fc.context() : n;
        AttentionCall.Site crossSite = new AttentionCall.Site(selfSite.block(), selfSite.transformerBlock(), true);
        h = attention(p + "attn2.", n, ctx, crossSite, heads, fc, patches).add(h);
        n = layerNorm(h, p + "norm3.");
        // GEGLU feed-forward: (a, gate) = proj(n).chunk(2); a * gelu(gate), then the output projection
        TensorVector parts = chunk(linearLayer(n, p + "ff.net.0.proj."), 2, -1);
        Tensor ff = parts.get(0).mul(gelu(parts.get(1)));
        return linearLayer(ff, p + "ff.net.2.").add(h);
    }

    private Tensor attention(String p, Tensor x, Tensor context, AttentionCall.Site site, int heads,
            ForwardContext fc, UNetPatches patches) {
        AttentionCall.Projections proj = new AttentionCall.Projections() {
            @Override
            public Tensor q(Tensor in) {
                return linearLayer(in, p + "to_q.");
            }

            @Override
            public Tensor k(Tensor in) {
                return linearLayer(in, p + "to_k.");
            }

            @Override
            public Tensor v(Tensor in) {
                return linearLayer(in, p + "to_v.");
            }
        };
        Tensor out = new AttentionCall(site, x, context, heads, fc, proj, patches.attention(site.cross()), 0)
                .proceed();
        return linearLayer(out, p + "to_out.0.");
    }

    private Tensor conv(Tensor x, String p, int stride, int pad) {
        return conv2d(x, w(p + "weight"), b(p + "bias"), new long[] {stride, stride}, new long[] {pad, pad},
                new long[] {1, 1}, 1);
    }

    private Tensor groupNorm(Tensor x, String p, double eps) {
        return group_norm(x, GROUPS, new TensorOptional(w(p + "weight")), b(p + "bias"), eps, false);
    }

    private Tensor layerNorm(Tensor x, String p) {
        return layer_norm(x, new long[] {x.size(-1)}, new TensorOptional(w(p + "weight")), b(p + "bias"),
                LAYER_NORM_EPS, false);
    }

    private Tensor linearLayer(Tensor x, String p) {
        Tensor weight = w(p + "weight");
        if (!x.is_cpu()) {
            return linear(x, weight, b(p + "bias"));
        }
        // On the CPU a linear layer runs as a 1x1 convolution over the rows seen as a channels-last [1, K, 1, M]
        // image: oneDNN then uses ATen's thread pool at close to matmul speed (about 2x OpenBLAS on one thread,
        // which is what CpuThreads leaves it during a forward). Same result up to float rounding.
        long k = x.size(-1);
        long[] shape = x.shape();
        long rows = x.numel() / k;
        long outFeatures = weight.size(0);
        Tensor image = x.reshape(1, 1, rows, k).permute(0, 3, 1, 2);
        Tensor y = conv2d(image, weight.view(outFeatures, k, 1, 1), b(p + "bias"), new long[] {1, 1},
                new long[] {0, 0}, new long[] {1, 1}, 1);
        shape[shape.length - 1] = outFeatures;
        return y.permute(0, 2, 3, 1).reshape(shape);
    }

    private Tensor w(String key) {
        return weights.get(key);
    }

    /** An optional bias: empty when the checkpoint has none (attention q/k/v). */
    private TensorOptional b(String key) {
        return weights.has(key) ? new TensorOptional(weights.get(key)) : new TensorOptional();
    }

    private static Tensor as(Tensor t, ScalarType dtype) {
        return t.scalar_type().intern() == dtype ? t : t.to(dtype);
    }

    private List<String> requiredKeys() {
        List<String> keys = new ArrayList<>();
        for (String p : encoderOnly ? List.of("time_embed.0.", "time_embed.2.")
                : List.of("time_embed.0.", "time_embed.2.", "out.0.", "out.2.")) {
            keys.add(p + "weight");
        }
        if (config.admInChannels() != null) {
            keys.add("label_emb.0.0.weight");
            keys.add("label_emb.0.2.weight");
        }
        List<Block> all = new ArrayList<>(inputBlocks);
        if (middleBlock != null) {
            all.add(middleBlock);
        }
        all.addAll(outputBlocks);
        for (Block block : all) {
            for (Layer layer : block.layers()) {
                if (layer instanceof Conv c) {
                    keys.add(c.prefix() + "weight");
                } else if (layer instanceof Res r) {
                    for (String s : List.of("in_layers.0.", "in_layers.2.", "emb_layers.1.", "out_layers.0.",
                            "out_layers.3.")) {
                        keys.add(r.prefix() + s + "weight");
                    }
                    if (r.projectedSkip()) {
                        keys.add(r.prefix() + "skip_connection.weight");
                    }
                } else if (layer instanceof Transformer t) {
                    keys.add(t.prefix() + "norm.weight");
                    keys.add(t.prefix() + "proj_in.weight");
                    keys.add(t.prefix() + "proj_out.weight");
                    for (int k = 0; k < t.depth(); k++) {
                        String q = t.prefix() + "transformer_blocks." + k + ".";
                        for (String s : List.of("attn1.to_q.", "attn1.to_k.", "attn1.to_v.", "attn1.to_out.0.",
                                "attn2.to_q.", "attn2.to_k.", "attn2.to_v.", "attn2.to_out.0.", "ff.net.0.proj.",
                                "ff.net.2.", "norm1.", "norm2.", "norm3.")) {
                            keys.add(q + s + "weight");
                        }
                    }
                } else if (layer instanceof Up u) {
                    keys.add(u.prefix() + "conv.weight");
                }
            }
        }
        return keys;
    }

    /**
     * Runs {@code body} in its own pointer scope and hands its result to the enclosing scope, so that the
     * intermediate wrappers and tensors of {@code body} are freed on return. Works whether the result was created in
     * {@code body} or existed before.
     */
    static Tensor scoped(Supplier<Tensor> body) {
        Tensor result;
        try (PointerScope scope = new PointerScope()) {
            result = body.get();
            result.retainReference();
        }
        Tensor out = new Tensor(result); // a new handle, owned by the enclosing scope
        result.releaseReference();
        return out;
    }

    private void requireLive() {
        if (owners.get() <= 0) {
            throw new IllegalStateException("UNet over " + weights.source() + " was released");
        }
    }

    @Override
    public void retain() {
        if (owners.getAndIncrement() <= 0) {
            owners.decrementAndGet();
            throw new IllegalStateException("UNet over " + weights.source() + " was already freed");
        }
        weights.retain();
    }

    @Override
    public void release() {
        int left = owners.decrementAndGet();
        if (left < 0) {
            owners.incrementAndGet();
            throw new IllegalStateException("UNet over " + weights.source() + " released more often than retained");
        }
        weights.release();
    }

    @Override
    public long nativeBytes() {
        return weights.nativeBytes();
    }

    @Override
    public String toString() {
        return "UNetModel[" + weights.source() + ", " + config + "]";
    }
}
