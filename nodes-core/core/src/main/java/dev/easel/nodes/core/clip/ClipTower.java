package dev.easel.nodes.core.clip;

import java.util.Objects;

/**
 * One text encoder of a CLIP value with its tokenizer and the way its conditioning is read: SD1 has one tower
 * (CLIP-L), SD2 one (OpenCLIP ViT-H), SDXL two (CLIP-L {@code "l"} and OpenCLIP bigG {@code "g"}, concatenated), the
 * SDXL refiner one (bigG).
 *
 * @param name the tower's key ({@code "l"}, {@code "g"}, {@code "h"}), as ComfyUI names its token lists
 * @param model the encoder (borrowed: the CLIP value owns it)
 * @param tokenizer its tokenizer (SD1/CLIP-L pads with EOS, the OpenCLIP towers with 0)
 * @param normHidden whether a hidden layer chosen by index goes through the final LayerNorm (ComfyUI's
 *     {@code layer_norm_hidden_state}: SD1 and SD2 yes, SDXL no)
 * @param defaultLayer the layer used without CLIPSetLastLayer: {@link ClipTextEncoder#LAST} (SD1) or −2, the
 *     penultimate layer (SD2 and SDXL)
 * @param keyPrefix where the tower's weights sit in the checkpoint ({@code cond_stage_model.transformer.text_model.},
 *     {@code conditioner.embedders.1.model.}); followed by the model's own (CLIP) weight names, it names a weight of
 *     this tower among all of a checkpoint's, as LoRA targets do. For an OpenCLIP tower the names after it are the
 *     renamed ones ({@link OpenClipLayout}), not the file's.
 */
public record ClipTower(String name, ClipTextModel model, WeightedTokenizer tokenizer, boolean normHidden,
                        int defaultLayer, String keyPrefix) {

    /** Where an SD1.x checkpoint keeps its CLIP-L weights. */
    public static final String SD1_PREFIX = "cond_stage_model.transformer.text_model.";

    public ClipTower {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
    }

    /** SD1.x CLIP-L: EOS padding, the last layer. */
    public static ClipTower sd1(ClipTextModel model) {
        return new ClipTower("l", model, new WeightedTokenizer(ClipTokenizer.standard()), true, ClipTextEncoder.LAST,
                SD1_PREFIX);
    }

    /** SD2.x OpenCLIP ViT-H: padding 0, the penultimate layer through the final LayerNorm. */
    public static ClipTower sd2(ClipTextModel model, String keyPrefix) {
        return new ClipTower("h", model, openClipTokenizer(), true, -2, keyPrefix);
    }

    /** SDXL CLIP-L: EOS padding, the penultimate layer without the final LayerNorm. */
    public static ClipTower sdxlL(ClipTextModel model, String keyPrefix) {
        return new ClipTower("l", model, new WeightedTokenizer(ClipTokenizer.standard()), false, -2, keyPrefix);
    }

    /** SDXL OpenCLIP bigG: padding 0, the penultimate layer without the final LayerNorm; its pooled output is used. */
    public static ClipTower sdxlG(ClipTextModel model, String keyPrefix) {
        return new ClipTower("g", model, openClipTokenizer(), false, -2, keyPrefix);
    }

    private static WeightedTokenizer openClipTokenizer() {
        return new WeightedTokenizer(ClipTokenizer.standard(), WeightedTokenizer.MAX_LENGTH, ClipTokenizer.BOS,
                ClipTokenizer.EOS, 0);
    }

    /** The encoder over this tower at {@code layer} ({@code null}: {@link #defaultLayer}). */
    public ClipTextEncoder encoder() {
        return new ClipTextEncoder(model, tokenizer, normHidden);
    }

    /** The layer index to use for a CLIP value's chosen layer ({@code null}: none chosen). */
    public int layer(Integer chosen) {
        return chosen == null ? defaultLayer : chosen;
    }
}
