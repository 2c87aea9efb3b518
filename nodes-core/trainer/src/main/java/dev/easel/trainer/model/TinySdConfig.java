package dev.easel.trainer.model;

import dev.easel.nodes.core.clip.ClipTextModel;
import dev.easel.nodes.core.clip.ClipTokenizer;
import dev.easel.nodes.core.unet.UNetConfig;
import dev.easel.nodes.core.vae.VaeConfig;
import java.util.List;

/**
 * The architecture of Easel's small text-to-image model: an SD1.x model (Rombach et al. 2022, "High-Resolution Image
 * Synthesis with Latent Diffusion Models") with reduced widths and depths, expressed in the core pack's own config
 * types, so that what the loader detects from the shapes can be compared with it directly.
 *
 * <p>The text encoder's head count is the one {@link ClipTextModel#detectHeads(int)} infers from its width (the
 * weights do not record heads), so a checkpoint loads with the heads it was trained with.
 */
public record TinySdConfig(VaeConfig vae, ClipTextModel.Config clip, UNetConfig unet) {

    /**
     * The shipped model: 64×64 pixels → 8×8×4 latents. VAE ch 32, ch_mult (1,2,2,4), 1 res block per level; text
     * encoder width 128, 3 layers (8 heads of 16); UNet model_channels 64, channel_mult (1,2,2), 1 res block per
     * level, transformers (depth 1) at the two lower resolutions and in the middle, context 128.
     */
    public static final TinySdConfig DEFAULT = of(32, List.of(1, 2, 2, 4), 128, 3, 64, List.of(1, 2, 2));

    /** A still smaller variant of the same layout for tests (seconds per few dozen steps). */
    public static final TinySdConfig SMOKE = of(32, List.of(1, 1, 1, 1), 64, 1, 32, List.of(1, 1, 1));

    /** {@link #DEFAULT} or {@link #SMOKE} by name. */
    public static TinySdConfig valueOf(String name) {
        return switch (name) {
            case "DEFAULT" -> DEFAULT;
            case "SMOKE" -> SMOKE;
            default -> throw new IllegalArgumentException("no config " + name);
        };
    }

    /**
     * A config of this family.
     *
     * @param vaeCh VAE base width (a multiple of 32: GroupNorm has 32 groups)
     * @param vaeMult VAE width multipliers; four levels give the 8× downscale
     * @param textWidth text encoder width, also the UNet's context width
     * @param textLayers text encoder layers
     * @param unetChannels UNet model_channels (a multiple of 32)
     * @param unetMult UNet channel_mult; attention at every level but the first
     */
    public static TinySdConfig of(int vaeCh, List<Integer> vaeMult, int textWidth, int textLayers, int unetChannels,
            List<Integer> unetMult) {
        VaeConfig vae = new VaeConfig(3, 3, vaeCh, vaeMult, 1, 4, 4, true);
        ClipTextModel.Config clip = new ClipTextModel.Config(textWidth, textLayers,
                ClipTextModel.detectHeads(textWidth), 4 * textWidth, ClipTokenizer.VOCAB_SIZE, 77, 1e-5,
                ClipTokenizer.EOS);
        int levels = unetMult.size();
        List<Integer> res = java.util.Collections.nCopies(levels, 1);
        Integer[] depth = new Integer[levels];
        for (int i = 0; i < levels; i++) {
            depth[i] = i == 0 ? 0 : 1;
        }
        // output side: two blocks per level, listed from the shallowest (level 0) to the deepest (ComfyUI's order)
        Integer[] depthOut = new Integer[2 * levels];
        for (int i = 0; i < 2 * levels; i++) {
            depthOut[i] = i / 2 == 0 ? 0 : 1;
        }
        UNetConfig unet = new UNetConfig(4, 4, unetChannels, unetMult, res, List.of(depth), 1, List.of(depthOut),
                textWidth, UNetConfig.Heads.defaultFor(false).numHeads(), -1, false, null);
        return new TinySdConfig(vae, clip, unet);
    }
}
