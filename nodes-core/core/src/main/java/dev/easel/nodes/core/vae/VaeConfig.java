package dev.easel.nodes.core.vae;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The architecture of an LDM "KL-f8" autoencoder (Rombach et al. 2022, <i>High-Resolution Image Synthesis with Latent
 * Diffusion Models</i>; github.com/CompVis/latent-diffusion, {@code ldm/modules/diffusionmodules/model.py}), as
 * ComfyUI builds it for SD1.x / SD2.x / SDXL checkpoints. Names follow the LDM {@code ddconfig}.
 *
 * @param inChannels image channels the encoder reads ({@code in_channels}, 3)
 * @param outChannels image channels the decoder writes ({@code out_ch}, 3)
 * @param ch base width ({@code ch}; 128 for SD1.5)
 * @param chMult width multiplier per resolution level ({@code ch_mult}; (1,2,4,4) for SD1.5)
 * @param numResBlocks residual blocks per encoder level ({@code num_res_blocks}); decoder levels have one more
 * @param zChannels latent channels between the encoder/decoder and the quant convs ({@code z_channels}; the encoder
 *     writes {@code 2·z} channels: mean and log-variance)
 * @param embedDim latent channels of the LATENT itself ({@code embed_dim}, the width of {@code post_quant_conv}'s input)
 * @param quantConv whether {@code quant_conv} / {@code post_quant_conv} exist (ComfyUI's AutoencodingEngine variant
 *     has none; then {@code embedDim == zChannels})
 */
public record VaeConfig(int inChannels, int outChannels, int ch, List<Integer> chMult, int numResBlocks, int zChannels,
        int embedDim, boolean quantConv) {

    /** GroupNorm groups of every normalisation layer. */
    public static final int GROUPS = 32;

    /** The SD1.x / SD2.x VAE ({@code sd15_configs.json}, "full"). */
    public static final VaeConfig SD15 = new VaeConfig(3, 3, 128, List.of(1, 2, 4, 4), 2, 4, 4, true);

    public VaeConfig {
        chMult = List.copyOf(chMult);
        if (chMult.isEmpty() || numResBlocks < 1 || ch < 1 || zChannels < 1 || embedDim < 1) {
            throw new IllegalArgumentException("not a valid VAE configuration: ch=" + ch + " ch_mult=" + chMult
                    + " num_res_blocks=" + numResBlocks + " z=" + zChannels + " embed_dim=" + embedDim);
        }
        if (!quantConv && embedDim != zChannels) {
            throw new IllegalArgumentException("without quant convs embed_dim must equal z_channels");
        }
    }

    /** Number of resolution levels ({@code len(ch_mult)}). */
    public int levels() {
        return chMult.size();
    }

    /** Width of level {@code level}: {@code ch · ch_mult[level]}. */
    public int channels(int level) {
        return ch * chMult.get(level);
    }

    /** Pixels per latent cell along each axis: 2^(levels−1) (8 for the usual four levels). */
    public int downscaleRatio() {
        return 1 << (levels() - 1);
    }

    /**
     * Infers the configuration from weight shapes, the way ComfyUI's VAE loader reads {@code z_channels} and
     * {@code embed_dim} from {@code decoder.conv_in} and {@code post_quant_conv}, extended to the widths
     * ({@code ch}, {@code ch_mult}, {@code num_res_blocks}) so that the small test checkpoints load too. The names are
     * the VAE's own (without the checkpoint's {@code first_stage_model.} prefix). Every expected weight must be
     * present with its expected shape (attention projections may be 1×1 convs or linear matrices).
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    public static VaeConfig detect(TensorShapes weights) {
        if (weights.has("decoder.up_blocks.0.resnets.0.norm1.weight")) {
            throw new IllegalArgumentException("diffusers-format VAE weights are not supported yet"
                    + " (expected the original LDM names such as decoder.up.0.block.0.norm1.weight)");
        }
        if (!weights.has("encoder.conv_in.weight") || !weights.has("decoder.conv_in.weight")) {
            throw new IllegalArgumentException("not an LDM autoencoder: encoder.conv_in.weight / decoder.conv_in.weight"
                    + " missing" + (weights.names().stream().anyMatch(n -> n.startsWith("first_stage_model."))
                            ? " (strip the first_stage_model. prefix first)" : ""));
        }
        for (String name : weights.names()) {
            if (name.matches("(encoder\\.down|decoder\\.up)\\.\\d+\\.attn\\..*")) {
                throw new IllegalArgumentException("VAE with attention at resolution levels (attn_resolutions) is not"
                        + " supported: " + name);
            }
        }
        long[] convIn = weights.require("encoder.conv_in.weight");
        int ch = (int) convIn[0];
        int inChannels = (int) convIn[1];
        int levels = 0;
        while (weights.has("encoder.down." + levels + ".block.0.conv1.weight")) {
            levels++;
        }
        int numRes = 0;
        while (weights.has("encoder.down.0.block." + numRes + ".conv1.weight")) {
            numRes++;
        }
        if (levels == 0 || numRes == 0) {
            throw new IllegalArgumentException("no encoder.down.N.block.M weights");
        }
        List<Integer> mult = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            long width = weights.require("encoder.down." + i + ".block.0.conv2.weight")[0];
            if (width % ch != 0) {
                throw new IllegalArgumentException("encoder level " + i + " width " + width + " is not a multiple of"
                        + " ch=" + ch);
            }
            mult.add((int) (width / ch));
        }
        int z = (int) weights.require("decoder.conv_in.weight")[1];
        int outChannels = (int) weights.require("decoder.conv_out.weight")[0];
        long encOut = weights.require("encoder.conv_out.weight")[0];
        if (encOut != 2L * z) {
            throw new IllegalArgumentException("encoder.conv_out writes " + encOut + " channels; a KL autoencoder"
                    + " with z_channels=" + z + " writes " + 2 * z + " (double_z)");
        }
        boolean quant = weights.has("post_quant_conv.weight");
        int embed = quant ? (int) weights.require("post_quant_conv.weight")[1] : z;
        VaeConfig config = new VaeConfig(inChannels, outChannels, ch, mult, numRes, z, embed, quant);
        config.checkShapes(weights);
        return config;
    }

    /** Every weight name this architecture has (without prefix). */
    public Set<String> expectedKeys() {
        Set<String> keys = new TreeSet<>();
        expectedShapes((name, shape) -> keys.add(name));
        return keys;
    }

    private void checkShapes(TensorShapes weights) {
        List<String> problems = new ArrayList<>();
        expectedShapes((name, expected) -> {
            long[] actual = weights.shape(name);
            if (actual == null) {
                problems.add("missing " + name);
            } else if (!shapeMatches(name, expected, actual)) {
                problems.add(name + " has shape " + Arrays.toString(actual) + ", expected "
                        + Arrays.toString(expected));
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("VAE weights do not fit the detected configuration " + this + ": "
                    + String.join("; ", problems.subList(0, Math.min(8, problems.size())))
                    + (problems.size() > 8 ? " (and " + (problems.size() - 8) + " more)" : ""));
        }
    }

    private static boolean shapeMatches(String name, long[] expected, long[] actual) {
        if (Arrays.equals(expected, actual)) {
            return true;
        }
        // Mid-block attention projections: 1x1 conv [C,C,1,1] in LDM files, linear [C,C] in some converted files.
        return name.contains(".attn_1.") && expected.length == 4 && actual.length == 2
                && actual[0] == expected[0] && actual[1] == expected[1];
    }

    private interface ShapeSink {
        void accept(String name, long[] shape);
    }

    private void expectedShapes(ShapeSink out) {
        int top = channels(levels() - 1);
        // encoder
        conv(out, "encoder.conv_in", inChannels, ch, 3);
        int in = ch;
        for (int i = 0; i < levels(); i++) {
            int width = channels(i);
            for (int j = 0; j < numResBlocks; j++) {
                resBlock(out, "encoder.down." + i + ".block." + j, in, width);
                in = width;
            }
            if (i != levels() - 1) {
                conv(out, "encoder.down." + i + ".downsample.conv", width, width, 3);
            }
        }
        mid(out, "encoder.mid", top);
        norm(out, "encoder.norm_out", top);
        conv(out, "encoder.conv_out", top, 2 * zChannels, 3);
        if (quantConv) {
            conv(out, "quant_conv", 2 * zChannels, 2 * embedDim, 1);
            conv(out, "post_quant_conv", embedDim, zChannels, 1);
        }
        // decoder (up.N is stored by resolution level: up.<levels-1> runs first)
        conv(out, "decoder.conv_in", zChannels, top, 3);
        mid(out, "decoder.mid", top);
        in = top;
        for (int i = levels() - 1; i >= 0; i--) {
            int width = channels(i);
            for (int j = 0; j <= numResBlocks; j++) {
                resBlock(out, "decoder.up." + i + ".block." + j, in, width);
                in = width;
            }
            if (i != 0) {
                conv(out, "decoder.up." + i + ".upsample.conv", width, width, 3);
            }
        }
        norm(out, "decoder.norm_out", channels(0));
        conv(out, "decoder.conv_out", channels(0), outChannels, 3);
    }

    private static void conv(ShapeSink out, String p, long in, long outCh, long k) {
        out.accept(p + ".weight", new long[] {outCh, in, k, k});
        out.accept(p + ".bias", new long[] {outCh});
    }

    private static void norm(ShapeSink out, String p, long c) {
        out.accept(p + ".weight", new long[] {c});
        out.accept(p + ".bias", new long[] {c});
    }

    private static void resBlock(ShapeSink out, String p, int in, int width) {
        norm(out, p + ".norm1", in);
        conv(out, p + ".conv1", in, width, 3);
        norm(out, p + ".norm2", width);
        conv(out, p + ".conv2", width, width, 3);
        if (in != width) {
            conv(out, p + ".nin_shortcut", in, width, 1);
        }
    }

    private static void mid(ShapeSink out, String p, int c) {
        resBlock(out, p + ".block_1", c, c);
        norm(out, p + ".attn_1.norm", c);
        for (String proj : new String[] {"q", "k", "v", "proj_out"}) {
            conv(out, p + ".attn_1." + proj, c, c, 1);
        }
        resBlock(out, p + ".block_2", c, c);
    }
}
