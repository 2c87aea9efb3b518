package dev.easel.nodes.core.vae;

import static org.bytedeco.pytorch.global.torch.constant_pad_nd;
import static org.bytedeco.pytorch.global.torch.conv2d;
import static org.bytedeco.pytorch.global.torch.group_norm;
import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.scaled_dot_product_attention;
import static org.bytedeco.pytorch.global.torch.silu_;
import static org.bytedeco.pytorch.global.torch.upsample_nearest2d;
import static org.bytedeco.pytorch.global.torch.zeros;

import dev.easel.node.RefCounted;
import dev.easel.nodes.core.model.WeightsPlaceable;
import dev.easel.nodes.core.model.StateDict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The KL-regularised autoencoder of latent diffusion (Rombach et al. 2022, <i>High-Resolution Image Synthesis with
 * Latent Diffusion Models</i>, CVPR; reference code github.com/CompVis/latent-diffusion, {@code ldm/models/autoencoder.py}
 * and {@code ldm/modules/diffusionmodules/model.py}, as ComfyUI runs it in {@code comfy/sd.py} VAE), written from the
 * architecture description against the original single-file weight names ({@code encoder.*}, {@code quant_conv},
 * {@code post_quant_conv}, {@code decoder.*}).
 *
 * <p>Encoder: 3×3 conv in; per level {@code num_res_blocks} residual blocks (GroupNorm 32 / eps 1e-6, SiLU, 3×3 conv,
 * twice; 1×1 {@code nin_shortcut} when the width changes) and, except on the last level, a stride-2 3×3 conv after an
 * asymmetric zero pad (right and bottom by one); middle: residual block, single-head self-attention over all H·W
 * positions (softmax scale 1/√C, 1×1 q/k/v/proj_out), residual block; GroupNorm, SiLU, 3×3 conv to 2·z channels;
 * {@code quant_conv} 1×1; split into mean and log-variance. Decoder: {@code post_quant_conv}, 3×3 conv in, the same
 * middle, then levels from the coarsest ({@code up.<levels−1>}) to the finest ({@code up.0}) with
 * {@code num_res_blocks + 1} residual blocks each and a nearest 2× upsample + 3×3 conv after every level but
 * {@code up.0}; GroupNorm, SiLU, 3×3 conv to RGB.
 *
 * <p>Tensors: IMAGE is float {@code [B, H, W, C]} in 0..1 (channels last); latents are raw VAE-space
 * {@code [B, embed_dim, H/8, W/8]} (not scaled by {@link LatentFormat#scaleFactor()}). Every method returns float32
 * CPU tensors attached to the caller's innermost {@link PointerScope}; call them inside one. Computation runs in the
 * dtype and on the device of the weights, one batch element at a time, each network block in a scope of its own
 * ({@link Chain}) so intermediate activations are freed as soon as the next block has run.
 *
 * <p>Owns a reference to its {@link StateDict}: {@link #retain()}/{@link #release()} delegate to it.
 */
public final class AutoencoderKL implements RefCounted, WeightsPlaceable {

    /** Prefix of the VAE weights in an original SD single-file checkpoint. */
    public static final String CHECKPOINT_PREFIX = "first_stage_model.";
    /** ComfyUI VAEDecodeTiled / VAEEncodeTiled defaults, in pixels. */
    public static final int DEFAULT_TILE_SIZE = 512;
    public static final int DEFAULT_TILE_OVERLAP = 64;

    private static final double NORM_EPS = 1e-6;
    private static final double LOGVAR_MIN = -30.0;
    private static final double LOGVAR_MAX = 20.0;

    private final StateDict weights;
    private final VaeConfig config;

    private AutoencoderKL(StateDict weights, VaeConfig config) {
        this.weights = weights;
        this.config = config;
    }

    /**
     * A VAE over {@code vaeWeights} (names without prefix). The model adds its own owner to the dict; the caller still
     * releases its reference.
     *
     * @throws IllegalArgumentException when the weights are not a supported LDM autoencoder
     */
    public static AutoencoderKL of(StateDict vaeWeights) {
        VaeConfig config = VaeConfig.detect(TensorShapes.of(vaeWeights));
        vaeWeights.retain();
        return new AutoencoderKL(vaeWeights, config);
    }

    /** The VAE of a whole SD checkpoint ({@code first_stage_model.*}), sharing the checkpoint's tensors. */
    public static AutoencoderKL fromCheckpoint(StateDict checkpoint) {
        StateDict sub = checkpoint.withPrefix(CHECKPOINT_PREFIX);
        try {
            return new AutoencoderKL(sub, VaeConfig.detect(TensorShapes.of(sub)));
        } catch (RuntimeException e) {
            sub.release();
            throw e;
        }
    }

    /**
     * Reads a safetensors file: a full SD checkpoint (its {@code first_stage_model.*} weights are used) or a
     * stand-alone VAE file. {@code dtype} is the weight (and compute) type; use {@code Float} on the CPU.
     */
    public static AutoencoderKL load(Path file, ScalarType dtype) throws IOException {
        StateDict all = StateDict.readSafetensors(file, dtype);
        try {
            boolean checkpoint = all.keys().stream().anyMatch(k -> k.startsWith(CHECKPOINT_PREFIX));
            return checkpoint ? fromCheckpoint(all) : of(all);
        } finally {
            all.release();
        }
    }

    public VaeConfig config() {
        return config;
    }

    /** The weights (names without prefix); valid while this model is. */
    public StateDict weights() {
        return weights;
    }

    /** Pixels per latent cell (8). */
    public int downscaleRatio() {
        return config.downscaleRatio();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // encode

    /** The encoder's posterior: {@code mean} and {@code logvar} (clamped to [−30, 20]), each {@code [B, embed, h, w]}. */
    public record Moments(Tensor mean, Tensor logvar) {
    }

    /**
     * ComfyUI's VAEEncode: the posterior mean of {@code image} (IMAGE {@code [B, H, W, C]}, 0..1; channels beyond the
     * third are dropped), after centre-cropping H and W down to multiples of 8.
     */
    public Tensor encode(Tensor image) {
        return encodeMoments(image).mean();
    }

    /** {@link #encode} with the log-variance too. */
    public Moments encodeMoments(Tensor image) {
        Tensor pixels = cropForEncode(image);
        long b = pixels.size(0);
        long h = pixels.size(1) / downscaleRatio();
        long w = pixels.size(2) / downscaleRatio();
        int e = config.embedDim();
        Tensor mean = zeros(new long[] {b, e, h, w}, new TensorOptions(ScalarType.Float));
        Tensor logvar = zeros(new long[] {b, e, h, w}, new TensorOptions(ScalarType.Float));
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (long i = 0; i < b; i++) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor moments = encodeNchw(toNchw(pixels.narrow(0, i, 1)));
                    mean.narrow(0, i, 1).copy_(moments.narrow(1, 0, e));
                    logvar.narrow(0, i, 1).copy_(clamp(moments.narrow(1, e, e), LOGVAR_MIN, LOGVAR_MAX));
                }
            }
        }
        return new Moments(mean, logvar);
    }

    /**
     * The training path: encoder + quant_conv on a whole batch of NCHW pixels in −1..1 (in the weights' dtype and on
     * their device) in one pass, recording autograd when it is enabled ({@link #encodeMoments(Tensor)} is per image
     * and under no-grad). Returns the raw moments {@code [B, 2·embed, h, w]}: mean, then unclamped log-variance.
     */
    public Tensor encodeBatch(Tensor pixelsNchw) {
        return encodeNchw(pixelsNchw);
    }

    /**
     * ComfyUI's VAEEncodeTiled: encodes overlapping {@code tileSize}² pixel tiles and blends their means with a linear
     * feather over the overlap; like ComfyUI it averages three tilings (square tiles, tiles twice as wide and half as
     * tall, and the converse). An image that fits in one {@code tileSize}² tile is encoded whole (exactly
     * {@link #encode}; ComfyUI would still tile the half-size passes there). When {@code tileSize < 4·overlap} the
     * overlap becomes {@code tileSize/4} (ComfyUI's VAEDecodeTiled rule, applied here too so the half-size passes
     * always advance).
     *
     * @param tileSize tile edge in pixels, a multiple of 32, at least 64 (ComfyUI: 512)
     * @param overlap overlap in pixels, a multiple of 8 (ComfyUI: 64)
     */
    public Tensor encodeTiled(Tensor image, int tileSize, int overlap) {
        int f = downscaleRatio();
        checkTiling(tileSize, overlap, f);
        overlap = effectiveOverlap(tileSize, overlap);
        Tensor pixels = cropForEncode(image);
        long b = pixels.size(0);
        long hh = pixels.size(1);
        long ww = pixels.size(2);
        if (hh <= tileSize && ww <= tileSize) {
            return encode(image);
        }
        int e = config.embedDim();
        Tensor out = zeros(new long[] {b, e, hh / f, ww / f}, new TensorOptions(ScalarType.Float));
        int t = tileSize;
        int o = overlap;
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (long i = 0; i < b; i++) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor one = toNchw(pixels.narrow(0, i, 1));
                    Tiler.Fn fn = tile -> encodeNchw(tile).narrow(1, 0, e);
                    double scale = 1.0 / f;
                    Tensor sum = Tiler.tiledScale(one, fn, t, t, o, scale, e);
                    sum.add_(Tiler.tiledScale(one, fn, t / 2, t * 2, o, scale, e));
                    sum.add_(Tiler.tiledScale(one, fn, t * 2, t / 2, o, scale, e));
                    out.narrow(0, i, 1).copy_(sum.div(new Scalar(3.0)));
                }
            }
        }
        return out;
    }

    /** IMAGE → the pixels the encoder sees: first 3 channels, H and W centre-cropped to multiples of 8. */
    private Tensor cropForEncode(Tensor image) {
        if (image.dim() != 4 || image.size(3) < config.inChannels()) {
            throw new IllegalArgumentException("expected an IMAGE [B, H, W, " + config.inChannels() + "], got "
                    + Arrays.toString(image.shape()));
        }
        int f = downscaleRatio();
        long h = image.size(1);
        long w = image.size(2);
        long h8 = h / f * f;
        long w8 = w / f * f;
        if (h8 == 0 || w8 == 0) {
            throw new IllegalArgumentException("image " + w + "x" + h + " is smaller than " + f + " pixels");
        }
        return image.narrow(3, 0, config.inChannels()).narrow(1, (h % f) / 2, h8).narrow(2, (w % f) / 2, w8);
    }

    /** IMAGE [1, H, W, C] (0..1, any dtype/device) → network input NCHW in −1..1, weight dtype and device. */
    private Tensor toNchw(Tensor pixels) {
        Tensor x = pixels.to(ScalarType.Float).permute(0, 3, 1, 2).mul(new Scalar(2.0)).sub(new Scalar(1.0));
        return x.to(weights.get("encoder.conv_in.weight")).contiguous();
    }

    /** Encoder + quant_conv on NCHW input (−1..1): the moments {@code [1, 2·embed, h, w]}, float32 on the CPU. */
    private Tensor encodeNchw(Tensor x) {
        int levels = config.levels();
        try (Chain c = new Chain(x)) {
            c.then(h -> conv(h, "encoder.conv_in", 1, 1));
            for (int i = 0; i < levels; i++) {
                for (int j = 0; j < config.numResBlocks(); j++) {
                    String p = "encoder.down." + i + ".block." + j;
                    c.then(h -> resBlock(h, p));
                }
                if (i != levels - 1) {
                    String p = "encoder.down." + i + ".downsample.conv";
                    c.then(h -> conv(constant_pad_nd(h, new long[] {0, 1, 0, 1}, new Scalar(0.0)), p, 2, 0));
                }
            }
            middle(c, "encoder.mid");
            c.then(h -> conv(normSilu(h, "encoder.norm_out"), "encoder.conv_out", 1, 1));
            if (config.quantConv()) {
                c.then(h -> conv(h, "quant_conv", 1, 0));
            }
            c.then(h -> h.to(ScalarType.Float).cpu());
            return c.result();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // decode

    /**
     * ComfyUI's VAEDecode before its output conversion: {@code latent} (raw VAE space {@code [B, embed, h, w]}) →
     * decoded pixels NCHW {@code [B, 3, 8h, 8w]}, about −1..1, unclamped. See {@link #toImage}.
     */
    public Tensor decode(Tensor latent) {
        checkLatent(latent);
        long b = latent.size(0);
        int f = downscaleRatio();
        Tensor out = zeros(new long[] {b, config.outChannels(), latent.size(2) * f, latent.size(3) * f},
                new TensorOptions(ScalarType.Float));
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (long i = 0; i < b; i++) {
                try (PointerScope scope = new PointerScope()) {
                    out.narrow(0, i, 1).copy_(decodeOne(latent.narrow(0, i, 1)));
                }
            }
        }
        return out;
    }

    /**
     * The training path: post_quant_conv + decoder on a whole batch of raw latents {@code [B, embed, h, w]} in one
     * pass, recording autograd when it is enabled ({@link #decode} is per image and under no-grad). Returns NCHW
     * pixels, about −1..1, unclamped.
     */
    public Tensor decodeBatch(Tensor latent) {
        checkLatent(latent);
        return decodeOne(latent);
    }

    /** ComfyUI's VAEDecode: the IMAGE {@code [B, 8h, 8w, 3]} = {@code clamp((decoded + 1) / 2, 0, 1)}. */
    public Tensor decodeToImage(Tensor latent) {
        return toImage(decode(latent));
    }

    /**
     * ComfyUI's VAEDecodeTiled before its output conversion: decodes overlapping latent tiles of
     * {@code tileSize/8} cells (overlap {@code overlap/8}) and blends them with a linear feather over the overlap,
     * averaging three tilings (square, half-width/double-height, double-width/half-height) as ComfyUI does. A latent
     * that fits in one tile is decoded whole, giving exactly {@link #decode} (ComfyUI would still tile the half-size
     * passes there). When {@code tileSize < 4·overlap} the overlap becomes {@code tileSize/4}, as in ComfyUI.
     *
     * @param tileSize tile edge in pixels, a multiple of 32, at least 64 (ComfyUI: 512)
     * @param overlap overlap in pixels, a multiple of 8 (ComfyUI: 64)
     * @return NCHW {@code [B, 3, 8h, 8w]}, unclamped; see {@link #toImage}
     */
    public Tensor decodeTiled(Tensor latent, int tileSize, int overlap) {
        checkLatent(latent);
        int f = downscaleRatio();
        checkTiling(tileSize, overlap, f);
        overlap = effectiveOverlap(tileSize, overlap);
        int t = tileSize / f;
        int o = overlap / f;
        long b = latent.size(0);
        if (latent.size(2) <= t && latent.size(3) <= t) {
            return decode(latent);
        }
        int outC = config.outChannels();
        Tensor out = zeros(new long[] {b, outC, latent.size(2) * f, latent.size(3) * f},
                new TensorOptions(ScalarType.Float));
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (long i = 0; i < b; i++) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor one = latent.narrow(0, i, 1);
                    Tiler.Fn fn = this::decodeOne;
                    // ComfyUI's order: (tile_x // 2, tile_y * 2) + (tile_x * 2, tile_y // 2) + (tile_x, tile_y)
                    Tensor sum = Tiler.tiledScale(one, fn, t * 2, t / 2, o, f, outC);
                    sum = sum.add(Tiler.tiledScale(one, fn, t / 2, t * 2, o, f, outC));
                    sum = sum.add(Tiler.tiledScale(one, fn, t, t, o, f, outC));
                    out.narrow(0, i, 1).copy_(sum.div(new Scalar(3.0)));
                }
            }
        }
        return out;
    }

    /** Decoded NCHW (about −1..1) → IMAGE NHWC {@code clamp((x + 1) / 2, 0, 1)}, float32, contiguous. */
    public static Tensor toImage(Tensor decoded) {
        Tensor unit = decoded.to(ScalarType.Float).add(new Scalar(1.0)).div(new Scalar(2.0));
        return clamp(unit, 0.0, 1.0).permute(0, 2, 3, 1).contiguous();
    }

    private void checkLatent(Tensor latent) {
        if (latent.dim() != 4 || latent.size(1) != config.embedDim()) {
            throw new IllegalArgumentException("expected a latent [B, " + config.embedDim() + ", h, w], got "
                    + Arrays.toString(latent.shape()));
        }
    }

    /** post_quant_conv + decoder on one latent {@code [1, embed, h, w]}: NCHW pixels, float32 on the CPU. */
    private Tensor decodeOne(Tensor latent) {
        int levels = config.levels();
        Tensor x = latent.to(weights.get("decoder.conv_in.weight")).contiguous();
        try (Chain c = new Chain(x)) {
            if (config.quantConv()) {
                c.then(h -> conv(h, "post_quant_conv", 1, 0));
            }
            c.then(h -> conv(h, "decoder.conv_in", 1, 1));
            middle(c, "decoder.mid");
            for (int i = levels - 1; i >= 0; i--) {
                for (int j = 0; j <= config.numResBlocks(); j++) {
                    String p = "decoder.up." + i + ".block." + j;
                    c.then(h -> resBlock(h, p));
                }
                if (i != 0) {
                    String p = "decoder.up." + i + ".upsample.conv";
                    c.then(h -> conv(upsample_nearest2d(h, new long[] {h.size(2) * 2, h.size(3) * 2}), p, 1, 1));
                }
            }
            c.then(h -> conv(normSilu(h, "decoder.norm_out"), "decoder.conv_out", 1, 1));
            c.then(h -> h.to(ScalarType.Float).cpu());
            return c.result();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // layers (each call runs inside the step scope Chain opens)

    private void middle(Chain c, String p) {
        c.then(h -> resBlock(h, p + ".block_1"));
        c.then(h -> attention(h, p + ".attn_1"));
        c.then(h -> resBlock(h, p + ".block_2"));
    }

    private Tensor conv(Tensor x, String p, long stride, long pad) {
        return conv2d(x, weights.get(p + ".weight"), new TensorOptional(weights.get(p + ".bias")),
                new long[] {stride, stride}, new long[] {pad, pad}, new long[] {1, 1}, 1);
    }

    /** SiLU(GroupNorm(x)) as one new tensor (SiLU in place on the normalised copy). */
    private Tensor normSilu(Tensor x, String p) {
        Tensor n = groupNorm(x, p);
        silu_(n); // the returned reference aliases n: never close it
        return n;
    }

    private Tensor groupNorm(Tensor x, String p) {
        return group_norm(x, VaeConfig.GROUPS, new TensorOptional(weights.get(p + ".weight")),
                new TensorOptional(weights.get(p + ".bias")), NORM_EPS, false);
    }

    /**
     * Residual block: {@code shortcut(x) + conv2(SiLU(norm2(conv1(SiLU(norm1(x))))))}, freeing each temporary as soon
     * as the next one exists (dropout is inactive at inference).
     */
    private Tensor resBlock(Tensor x, String p) {
        Tensor a = normSilu(x, p + ".norm1");
        Tensor b = conv(a, p + ".conv1", 1, 1);
        a.close();
        a = normSilu(b, p + ".norm2");
        b.close();
        Tensor out = conv(a, p + ".conv2", 1, 1);
        a.close();
        if (weights.has(p + ".nin_shortcut.weight")) {
            Tensor skip = conv(x, p + ".nin_shortcut", 1, 0);
            out.add_(skip);
            skip.close();
        } else {
            out.add_(x);
        }
        return out;
    }

    /** Single-head self-attention over the H·W positions, plus the input (residual). */
    private Tensor attention(Tensor x, String p) {
        long b = x.size(0);
        long c = x.size(1);
        long h = x.size(2);
        long w = x.size(3);
        Tensor n = groupNorm(x, p + ".norm");
        Tensor seq = n.reshape(b, c, h * w).transpose(1, 2); // [B, HW, C]
        n.close();
        Tensor q = projection(seq, p + ".q", c);
        Tensor k = projection(seq, p + ".k", c);
        Tensor v = projection(seq, p + ".v", c);
        seq.close();
        // one head: [B, 1, HW, C]; SDPA's default scale is 1/sqrt(C)
        Tensor att = scaled_dot_product_attention(q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1)).squeeze(1);
        q.close();
        k.close();
        v.close();
        Tensor o = projection(att, p + ".proj_out", c);
        att.close();
        return o.transpose(1, 2).reshape(b, c, h, w).add(x);
    }

    /** A 1×1 conv applied to a sequence [B, N, C] as a linear layer; the weight may be [C, C, 1, 1] or [C, C]. */
    private Tensor projection(Tensor seq, String p, long c) {
        return linear(seq, weights.get(p + ".weight").reshape(c, c), new TensorOptional(weights.get(p + ".bias")));
    }

    private static Tensor clamp(Tensor t, double low, double high) {
        return t.clamp(new ScalarOptional(new Scalar(low)), new ScalarOptional(new Scalar(high)));
    }

    /**
     * Tile sizes are multiples of 4·f (32) and at least 8·f (64), overlaps multiples of f (8): then every tile, half
     * tile, position and feather width is a whole number of latent cells, and tileSize/4 is a valid overlap.
     */
    private static void checkTiling(int tileSize, int overlap, int f) {
        if (tileSize < 8 * f || tileSize % (4 * f) != 0) {
            throw new IllegalArgumentException("tile size must be a multiple of " + 4 * f + " and at least " + 8 * f
                    + " pixels, got " + tileSize);
        }
        if (overlap < 0 || overlap % f != 0) {
            throw new IllegalArgumentException("tile overlap must be a non-negative multiple of " + f
                    + " pixels, got " + overlap);
        }
    }

    /** ComfyUI's VAEDecodeTiled rule: {@code if tile_size < overlap * 4: overlap = tile_size // 4}. */
    private static int effectiveOverlap(int tileSize, int overlap) {
        return tileSize < overlap * 4 ? tileSize / 4 : overlap;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // RefCounted: delegated to the weights

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

    @Override
    public String toString() {
        return "AutoencoderKL[" + weights.source() + ", " + config + "]";
    }
}
