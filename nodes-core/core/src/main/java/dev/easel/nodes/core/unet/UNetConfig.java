package dev.easel.nodes.core.unet;

import dev.easel.nodes.core.model.StateDict;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Architecture of an LDM / Stable Diffusion UNet (the "openaimodel" UNet of Rombach et al. 2022, "High-Resolution
 * Image Synthesis with Latent Diffusion Models", as used by SD1.x, SD2.x and SDXL), with the same parameters and list
 * conventions as ComfyUI's {@code unet_config}, so a detected config can be compared with ComfyUI's directly.
 *
 * @param inChannels latent channels in ({@code input_blocks.0.0} input width)
 * @param outChannels channels out ({@code out.2})
 * @param modelChannels base width ({@code input_blocks.0.0} output width); the timestep embedding has this size and
 *     the time MLP {@code 4 * modelChannels}
 * @param channelMult width multiplier per level
 * @param numResBlocks ResBlocks per level on the input side (the output side has one more per level)
 * @param transformerDepth SpatialTransformer depth after each input ResBlock, level by level ({@code sum(numResBlocks)}
 *     entries; 0 = no transformer there)
 * @param transformerDepthMiddle depth of the middle SpatialTransformer; -1: the middle block is a single ResBlock;
 *     -2: no middle block
 * @param transformerDepthOutput depth after each output ResBlock, in ComfyUI's order: from the <em>last</em> output
 *     block ({@code output_blocks.N-1}, shallowest) to the first ({@code output_blocks.0}, deepest); see
 *     {@link #outputDepth(int)}
 * @param contextDim cross-attention context width, or {@code null} when there is no transformer
 * @param numHeads attention heads per transformer (-1 when {@code numHeadChannels} fixes the head width instead)
 * @param numHeadChannels width of one head (-1 when {@code numHeads} fixes the head count)
 * @param useLinearProj SD2.x / SDXL: {@code proj_in}/{@code proj_out} are linear layers applied after flattening;
 *     SD1.x: 1×1 convolutions applied before
 * @param admInChannels width of the class / "adm" vector {@code y} fed to {@code label_emb} (SDXL: 2816), or
 *     {@code null}
 */
public record UNetConfig(
        int inChannels,
        int outChannels,
        int modelChannels,
        List<Integer> channelMult,
        List<Integer> numResBlocks,
        List<Integer> transformerDepth,
        int transformerDepthMiddle,
        List<Integer> transformerDepthOutput,
        Integer contextDim,
        int numHeads,
        int numHeadChannels,
        boolean useLinearProj,
        Integer admInChannels) {

    public UNetConfig {
        channelMult = List.copyOf(channelMult);
        numResBlocks = List.copyOf(numResBlocks);
        transformerDepth = List.copyOf(transformerDepth);
        transformerDepthOutput = List.copyOf(transformerDepthOutput);
        if (channelMult.size() != numResBlocks.size() || channelMult.isEmpty()) {
            throw new IllegalArgumentException("channelMult and numResBlocks need one entry per level: " + channelMult
                    + " vs " + numResBlocks);
        }
        int inputRes = numResBlocks.stream().mapToInt(Integer::intValue).sum();
        if (transformerDepth.size() != inputRes) {
            throw new IllegalArgumentException("transformerDepth needs " + inputRes + " entries: " + transformerDepth);
        }
        if (transformerDepthOutput.size() != inputRes + numResBlocks.size()) {
            throw new IllegalArgumentException("transformerDepthOutput needs " + (inputRes + numResBlocks.size())
                    + " entries: " + transformerDepthOutput);
        }
        if ((numHeads > 0) == (numHeadChannels > 0)) {
            throw new IllegalArgumentException("exactly one of numHeads (" + numHeads + ") and numHeadChannels ("
                    + numHeadChannels + ") must be positive");
        }
        boolean anyTransformer = transformerDepthMiddle > 0
                || transformerDepth.stream().anyMatch(d -> d > 0)
                || transformerDepthOutput.stream().anyMatch(d -> d > 0);
        if (anyTransformer && contextDim == null) {
            throw new IllegalArgumentException("transformers need a contextDim");
        }
    }

    /**
     * How attention heads are chosen; the checkpoint's shapes do not tell (a head count and a head width give the same
     * tensors), so it is a model-family constant, as in ComfyUI's supported-model table.
     *
     * @param numHeads fixed head count, or -1
     * @param headChannels fixed head width, or -1
     */
    public record Heads(int numHeads, int headChannels) {

        public Heads {
            if ((numHeads > 0) == (headChannels > 0)) {
                throw new IllegalArgumentException("give exactly one of numHeads and headChannels");
            }
        }

        public static Heads count(int numHeads) {
            return new Heads(numHeads, -1);
        }

        public static Heads width(int headChannels) {
            return new Heads(-1, headChannels);
        }

        /**
         * The default rule: SD1.x layouts (1×1-conv {@code proj_in}) use 8 heads at every width; SD2.x and SDXL
         * layouts (linear {@code proj_in}) use 64-channel heads. Scaled-down test models need their own value (the
         * tiny SD2 fixture uses width 16, the tiny SDXL one width 8).
         */
        public static Heads defaultFor(boolean useLinearProj) {
            return useLinearProj ? width(64) : count(8);
        }
    }

    /** Number of levels (resolutions). */
    public int levels() {
        return channelMult.size();
    }

    /** Channels of the blocks at {@code level}. */
    public int channels(int level) {
        return modelChannels * channelMult.get(level);
    }

    /** Width of the time embedding MLP ({@code time_embed.2} output). */
    public int timeEmbedDim() {
        return 4 * modelChannels;
    }

    /** Heads of a transformer on {@code channels} channels. */
    public int heads(int channels) {
        return numHeadChannels > 0 ? channels / numHeadChannels : numHeads;
    }

    /** Width of one head of a transformer on {@code channels} channels. */
    public int headDim(int channels) {
        return numHeadChannels > 0 ? numHeadChannels : channels / numHeads;
    }

    /** Transformer depth after the ResBlock of {@code output_blocks.index} (0 = deepest). */
    public int outputDepth(int outputBlockIndex) {
        return transformerDepthOutput.get(transformerDepthOutput.size() - 1 - outputBlockIndex);
    }

    /** Levels with a transformer after at least one input ResBlock ("attention resolutions"). */
    public Set<Integer> attentionLevels() {
        Set<Integer> out = new TreeSet<>();
        int k = 0;
        for (int level = 0; level < levels(); level++) {
            for (int r = 0; r < numResBlocks.get(level); r++) {
                if (transformerDepth.get(k++) > 0) {
                    out.add(level);
                }
            }
        }
        return out;
    }

    /** Number of {@code input_blocks} (conv_in, ResBlocks with optional transformers, downsamplers). */
    public int inputBlockCount() {
        return 1 + transformerDepth.size() + levels() - 1;
    }

    /** Number of {@code output_blocks}. */
    public int outputBlockCount() {
        return transformerDepthOutput.size();
    }

    /** Detects the config of the UNet weights in {@code unet} (keys without the {@code model.diffusion_model.} prefix). */
    public static UNetConfig fromStateDict(StateDict unet) {
        return fromStateDict(ShapeSource.of(unet));
    }

    /** {@link #fromStateDict(ShapeSource, Heads)} with {@link Heads#defaultFor the default head rule}. */
    public static UNetConfig fromStateDict(ShapeSource unet) {
        return fromStateDict(unet, null);
    }

    /**
     * Detects the config from tensor shapes, the way ComfyUI's model detection does: widths from {@code input_blocks.0.0}
     * and {@code out.2}, levels from the downsamplers ({@code input_blocks.N.0.op}), ResBlock widths from
     * {@code out_layers.3}, transformer depths by counting {@code transformer_blocks.K}, context width from
     * {@code attn2.to_k}, linear vs conv projections from the rank of {@code proj_in.weight}, {@code y} width from
     * {@code label_emb.0.0}. Weights without output blocks (a ControlNet's copy of the encoder) get depth 0 for every
     * output block.
     *
     * @param heads the head rule, or {@code null} for {@link Heads#defaultFor}
     * @throws IllegalArgumentException when the keys are not an LDM UNet
     */
    public static UNetConfig fromStateDict(ShapeSource unet, Heads heads) {
        long[] convIn = unet.shape("input_blocks.0.0.weight");
        if (convIn == null || convIn.length != 4) {
            throw new IllegalArgumentException("not an LDM UNet: no 4-d input_blocks.0.0.weight");
        }
        int modelChannels = (int) convIn[0];
        int inChannels = (int) convIn[1];
        long[] out = unet.shape("out.2.weight");
        int outChannels = out == null ? 4 : (int) out[0];
        long[] labelEmb = unet.shape("label_emb.0.0.weight");
        Integer adm = labelEmb == null ? null : (int) labelEmb[1];

        Set<String> keys = unet.keys();
        int inputBlocks = countIndexed(keys, "input_blocks.");
        List<Integer> numRes = new ArrayList<>();
        List<Integer> mult = new ArrayList<>();
        List<Integer> depth = new ArrayList<>();
        int levelRes = 0;
        int levelMult = 0;
        Integer contextDim = null;
        Boolean linear = null;
        for (int i = 1; i < inputBlocks; i++) {
            String p = "input_blocks." + i + ".";
            if (unet.has(p + "0.op.weight")) {
                numRes.add(levelRes);
                mult.add(levelMult);
                levelRes = 0;
                levelMult = 0;
            } else if (unet.has(p + "0.in_layers.0.weight")) {
                levelRes++;
                levelMult = (int) (unet.shape(p + "0.out_layers.3.weight")[0] / modelChannels);
                int d = countIndexed(keys, p + "1.transformer_blocks.");
                depth.add(d);
                if (d > 0 && contextDim == null) {
                    contextDim = (int) unet.shape(p + "1.transformer_blocks.0.attn2.to_k.weight")[1];
                    linear = unet.shape(p + "1.proj_in.weight").length == 2;
                }
            } else {
                throw new IllegalArgumentException("input_blocks." + i + " is neither a ResBlock nor a downsampler");
            }
        }
        numRes.add(levelRes);
        mult.add(levelMult);

        int middle;
        if (unet.has("middle_block.1.proj_in.weight")) {
            middle = countIndexed(keys, "middle_block.1.transformer_blocks.");
            if (contextDim == null) {
                contextDim = (int) unet.shape("middle_block.1.transformer_blocks.0.attn2.to_k.weight")[1];
                linear = unet.shape("middle_block.1.proj_in.weight").length == 2;
            }
        } else if (unet.has("middle_block.0.in_layers.0.weight")) {
            middle = -1;
        } else {
            middle = -2;
        }

        int outputBlocks = countIndexed(keys, "output_blocks.");
        List<Integer> depthOut = new ArrayList<>();
        if (outputBlocks == 0) { // an encoder only (a ControlNet): its output side is never built
            for (int j = 0; j < depth.size() + numRes.size(); j++) {
                depthOut.add(0);
            }
        }
        for (int j = outputBlocks - 1; j >= 0; j--) {
            String p = "output_blocks." + j + ".";
            int d = countIndexed(keys, p + "1.transformer_blocks.");
            depthOut.add(d);
            if (d > 0 && contextDim == null) {
                contextDim = (int) unet.shape(p + "1.transformer_blocks.0.attn2.to_k.weight")[1];
                linear = unet.shape(p + "1.proj_in.weight").length == 2;
            }
        }
        boolean useLinear = Boolean.TRUE.equals(linear);
        Heads h = heads != null ? heads : Heads.defaultFor(useLinear);
        return new UNetConfig(inChannels, outChannels, modelChannels, mult, numRes, depth, middle, depthOut,
                contextDim, h.numHeads(), h.headChannels(), useLinear, adm);
    }

    /** How many consecutive indices {@code 0, 1, ...} have a key starting with {@code prefix + index + "."}. */
    public static int countIndexed(Set<String> keys, String prefix) {
        Set<Integer> present = new TreeSet<>();
        for (String key : keys) {
            if (key.startsWith(prefix)) {
                int dot = key.indexOf('.', prefix.length());
                if (dot > prefix.length()) {
                    try {
                        present.add(Integer.parseInt(key.substring(prefix.length(), dot)));
                    } catch (NumberFormatException e) {
                        // not an indexed child
                    }
                }
            }
        }
        int n = 0;
        while (present.contains(n)) {
            n++;
        }
        return n;
    }
}
