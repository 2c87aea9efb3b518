package dev.easel.nodes.core.controlnet;

import static org.bytedeco.pytorch.global.torch.conv2d;
import static org.bytedeco.pytorch.global.torch.silu;

import dev.easel.node.ContentHashable;
import dev.easel.node.FileFingerprint;
import dev.easel.node.RefCounted;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.model.WeightsPlaceable;
import dev.easel.nodes.core.model.files.CheckpointReader;
import dev.easel.nodes.core.unet.UNetConfig;
import dev.easel.nodes.core.unet.UNetModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A CONTROL_NET value: the ControlNet of Zhang et al. 2023 ("Adding Conditional Control to Text-to-Image Diffusion
 * Models", arXiv:2302.05543), a trainable copy of the UNet's encoder (time embedding, input blocks, middle block) fed
 * with the same latent, timestep and text, plus a small convolutional encoder of the hint image added after input
 * block 0 ({@code input_hint_block}), and a zero-initialised 1×1 convolution on each input block's output
 * ({@code zero_convs}) and on the middle block's ({@code middle_block_out}). Those outputs are the residuals the
 * UNet adds to its skip connections and to its middle block's output (Sec. 3.2 of the paper).
 *
 * <p>The encoder is {@link UNetModel#encoder} over the ControlNet's own weights, so it runs the UNet's block code.
 * Owns one reference to its weights; {@link RefCounted} with one creation owner.
 */
public final class ControlNetModel implements RefCounted, ContentHashable, WeightsPlaceable {

    /** Strides of the hint encoder's eight 3×3 convolutions ({@code input_hint_block.0, 2, …, 14}): ÷8 in all. */
    private static final int[] HINT_STRIDES = {1, 1, 2, 1, 2, 1, 2, 1};

    /** The residuals of one evaluation, each already × strength, owned by the caller's scope. */
    public record Residuals(List<Tensor> outputs, Tensor middle) {
    }

    private final String name;
    private final String identity;
    private final StateDict weights;
    private final UNetConfig config;
    /** The encoder per head rule of the models it is used with (the shapes do not tell the head count). */
    private final Map<String, UNetModel> encoders = new LinkedHashMap<>();
    private final AtomicInteger owners = new AtomicInteger(1);

    private ControlNetModel(String name, String identity, StateDict weights, UNetConfig config) {
        this.name = name;
        this.identity = identity;
        this.weights = weights;
        this.config = config;
        encoders.put(headKey(config), UNetModel.encoder(weights, config)); // checks the encoder's weights
        try {
            for (int k = 0; k < HINT_STRIDES.length; k++) {
                weights.get("input_hint_block." + 2 * k + ".weight");
            }
            for (int i = 0; i < config.inputBlockCount(); i++) {
                weights.get("zero_convs." + i + ".0.weight");
            }
            weights.get("middle_block_out.0.weight");
        } catch (RuntimeException e) {
            encoders.values().forEach(UNetModel::release);
            throw e;
        }
        weights.retain();
    }

    /**
     * Loads a ControlNet file (original, bare or diffusers layout) in {@code dtype}.
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when it is no ControlNet or lacks weights (the message names file and key)
     */
    public static ControlNetModel load(Path file, ScalarType dtype) throws IOException {
        String name = file.getFileName().toString();
        StateDict all = CheckpointReader.read(file, dtype);
        try {
            StateDict weights = ControlNetLayouts.toOriginal(all, name);
            try {
                return new ControlNetModel(name, FileFingerprint.stamp(file) + "#controlnet", weights,
                        UNetConfig.fromStateDict(weights));
            } finally {
                weights.release(); // the model holds its own reference
            }
        } finally {
            all.release();
        }
    }

    /** The file name, for messages. */
    public String name() {
        return name;
    }

    /** The encoder's architecture as detected from the weights. */
    public UNetConfig config() {
        return config;
    }

    @Override
    public StateDict weights() {
        return weights;
    }

    /** Channels of the hint image ({@code input_hint_block.0} input width; 3 for RGB hints). */
    public long hintChannels() {
        return weights.get("input_hint_block.0.weight").size(1);
    }

    /**
     * Checks that this ControlNet's residuals fit a UNet of {@code model}'s architecture: the same latent channels,
     * widths per level, blocks per level, context width, and a {@code y} vector when it needs one.
     *
     * @throws IllegalArgumentException naming this file and every mismatching weight with its shape
     */
    public void checkFits(UNetConfig model) {
        List<String> problems = new ArrayList<>();
        // an inpainting UNet takes extra input channels after the latent; the ControlNet sees only the latent
        if (config.inChannels() > model.inChannels() || config.modelChannels() != model.modelChannels()) {
            problems.add("input_blocks.0.0.weight " + shape("input_blocks.0.0.weight") + " takes "
                    + config.inChannels() + " latent channels to " + config.modelChannels() + ", the model's "
                    + model.inChannels() + " to " + model.modelChannels());
        }
        if (!config.channelMult().equals(model.channelMult()) || !config.numResBlocks().equals(model.numResBlocks())) {
            problems.add("levels: channel multipliers " + config.channelMult() + " with " + config.numResBlocks()
                    + " ResBlocks per level (zero_convs.* " + config.inputBlockCount() + " outputs), the model's "
                    + model.channelMult() + " with " + model.numResBlocks());
        }
        if (!Objects.equals(config.contextDim(), model.contextDim())) {
            String key = firstKey("attn2.to_k.weight");
            problems.add("context width " + config.contextDim() + (key == null ? "" : " (" + key + " "
                    + shape(key) + ")") + ", the model's " + model.contextDim());
        }
        if (config.admInChannels() != null && !config.admInChannels().equals(model.admInChannels())) {
            problems.add("label_emb.0.0.weight " + shape("label_emb.0.0.weight") + " needs a y vector of width "
                    + config.admInChannels() + ", the model has " + (model.admInChannels() == null ? "none"
                    : "width " + model.admInChannels()));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("ControlNet " + name + " does not fit this model: "
                    + String.join("; ", problems));
        }
    }

    /**
     * One ControlNet evaluation (Zhang et al. 2023, Sec. 3.2): the encoder copy on (x, t, context[, y]) with the
     * encoded hint added after input block 0; residual i = zero_conv_i(block i output) · strength, middle =
     * middle_block_out(middle block output) · strength.
     *
     * @param model the architecture of the UNet it is applied to (its head rule is used)
     * @param x the UNet's input, already × c_in [B, C, h, w]
     * @param hint the hint image [B or 1, hintChannels, 8h, 8w]
     */
    public Residuals forward(UNetConfig model, Tensor x, Tensor hint, Tensor timesteps, Tensor context, Tensor y,
            double strength) {
        requireLive();
        UNetModel encoder = encoderFor(model);
        Tensor[] middle = new Tensor[1];
        List<Tensor> outputs = new ArrayList<>();
        ScalarType dtype = weights.get("input_hint_block.0.weight").scalar_type().intern();
        ScalarType outDtype = x.scalar_type().intern();
        try (PointerScope scope = new PointerScope()) {
            Tensor guided = hintBlock(hint.to(dtype));
            UNetModel.Encoding e = encoder.encode(x, timesteps, context, config.admInChannels() == null ? null : y,
                    (i, h) -> i == 0 ? h.add(guided) : h);
            for (int i = 0; i < e.inputs().size(); i++) {
                outputs.add(keep(conv(e.inputs().get(i), "zero_convs." + i + ".0.", 1, 0).mul(
                        new org.bytedeco.pytorch.Scalar(strength)).to(outDtype)));
            }
            middle[0] = keep(conv(e.middle(), "middle_block_out.0.", 1, 0)
                    .mul(new org.bytedeco.pytorch.Scalar(strength)).to(outDtype));
        }
        List<Tensor> owned = new ArrayList<>();
        outputs.forEach(t -> owned.add(handOver(t)));
        return new Residuals(owned, handOver(middle[0]));
    }

    /** The hint encoder: eight 3×3 convolutions with SiLU between them, ÷8 in resolution. */
    private Tensor hintBlock(Tensor hint) {
        Tensor h = hint;
        for (int k = 0; k < HINT_STRIDES.length; k++) {
            h = conv(h, "input_hint_block." + 2 * k + ".", HINT_STRIDES[k], 1);
            if (k < HINT_STRIDES.length - 1) {
                h = silu(h);
            }
        }
        return h;
    }

    private Tensor conv(Tensor x, String p, int stride, int pad) {
        TensorOptional bias = weights.has(p + "bias") ? new TensorOptional(weights.get(p + "bias"))
                : new TensorOptional();
        return conv2d(x, weights.get(p + "weight"), bias, new long[] {stride, stride}, new long[] {pad, pad},
                new long[] {1, 1}, 1);
    }

    private synchronized UNetModel encoderFor(UNetConfig model) {
        if (config.useLinearProj() != model.useLinearProj()) {
            return encoders.get(headKey(config)); // not the model's family: keep the default rule
        }
        return encoders.computeIfAbsent(headKey(model), k -> UNetModel.encoder(weights, withHeads(model)));
    }

    private UNetConfig withHeads(UNetConfig model) {
        return new UNetConfig(config.inChannels(), config.outChannels(), config.modelChannels(), config.channelMult(),
                config.numResBlocks(), config.transformerDepth(), config.transformerDepthMiddle(),
                config.transformerDepthOutput(), config.contextDim(), model.numHeads(), model.numHeadChannels(),
                config.useLinearProj(), config.admInChannels());
    }

    private static String headKey(UNetConfig c) {
        return c.numHeads() + "/" + c.numHeadChannels();
    }

    private String shape(String key) {
        return weights.has(key) ? Arrays.toString(weights.get(key).shape()) : "(absent)";
    }

    private String firstKey(String suffix) {
        return weights.keys().stream().filter(k -> k.endsWith(suffix)).findFirst().orElse(null);
    }

    private static Tensor keep(Tensor t) {
        t.retainReference();
        return t;
    }

    private static Tensor handOver(Tensor kept) {
        Tensor out = new Tensor(kept); // owned by the caller's scope
        kept.releaseReference();
        return out;
    }

    private void requireLive() {
        if (owners.get() <= 0) {
            throw new IllegalStateException("ControlNet " + name + " was released");
        }
    }

    @Override
    public void retain() {
        if (owners.getAndIncrement() <= 0) {
            owners.decrementAndGet();
            throw new IllegalStateException("ControlNet " + name + " was already freed");
        }
    }

    @Override
    public void release() {
        int left = owners.decrementAndGet();
        if (left == 0) {
            synchronized (this) {
                encoders.values().forEach(UNetModel::release);
                encoders.clear();
            }
            weights.release();
        } else if (left < 0) {
            owners.incrementAndGet();
            throw new IllegalStateException("ControlNet " + name + " released more often than retained");
        }
    }

    @Override
    public long nativeBytes() {
        return weights.nativeBytes();
    }

    @Override
    public String contentHash() {
        return identity;
    }

    @Override
    public String toString() {
        return "ControlNet[" + name + "]";
    }
}
