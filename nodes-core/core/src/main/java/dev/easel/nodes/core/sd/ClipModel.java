package dev.easel.nodes.core.sd;

import dev.easel.nodes.core.lora.LoraFile;
import dev.easel.nodes.core.lora.LoraKeyMap;
import dev.easel.nodes.core.lora.LoraPatches;
import dev.easel.nodes.core.model.WeightDeltas;
import dev.easel.nodes.core.model.WeightPatcher;
import dev.easel.node.ContentHashable;
import dev.easel.node.RefCounted;
import dev.easel.nodes.core.clip.ClipTextEncoder;
import dev.easel.nodes.core.clip.ClipTextModel;
import dev.easel.nodes.core.clip.ClipTokenizer;
import dev.easel.nodes.core.clip.Embeddings;
import dev.easel.nodes.core.clip.WeightedTokenizer;

/**
 * A CLIP value: a text encoder, its tokenizer and the layer its conditioning comes from (CLIPSetLastLayer). Copies
 * with another layer share the encoder's weights.
 */
public final class ClipModel implements RefCounted, ContentHashable {

    private final ClipTextModel model;
    private final WeightedTokenizer tokenizer;
    private final int layer;
    private final String identity;
    /** LoRAs on the encoder's weights, applied in place while an encode uses this CLIP ({@link #usePatches}). */
    private final WeightDeltas patches;

    public ClipModel(ClipTextModel model, WeightedTokenizer tokenizer, int layer, String identity) {
        this(model, tokenizer, layer, identity, WeightDeltas.NONE);
    }

    private ClipModel(ClipTextModel model, WeightedTokenizer tokenizer, int layer, String identity,
            WeightDeltas patches) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.layer = layer;
        this.identity = identity;
        this.patches = patches;
    }

    /** An SD1.x CLIP with the standard tokenizer, using the last layer. */
    public static ClipModel sd1(ClipTextModel model, String identity) {
        return new ClipModel(model, new WeightedTokenizer(ClipTokenizer.standard()), ClipTextEncoder.LAST, identity);
    }

    /** The same encoder stopping at {@code layerIndex} (−1 last, −2 penultimate, ...); shares the weights. */
    public ClipModel withLayer(int layerIndex) {
        retain(); // the copy is one more owner of the weights
        return new ClipModel(model, tokenizer, layerIndex, identity, patches);
    }

    /** The same encoder with {@code lora}'s text-encoder pairs added at {@code strength}; shares the weights. */
    public ClipModel withLora(LoraFile lora, double strength) {
        retain();
        lora.retain();
        return new ClipModel(model, tokenizer, layer, identity + "|lora:" + lora.identity() + "@" + strength,
                LoraPatches.add(patches, LoraKeyMap.TEXT_PREFIX, lora, strength));
    }

    /** The LoRAs on this CLIP, in the order they were added. */
    public WeightDeltas patches() {
        return patches;
    }

    /** Holds the encoder's weights patched as this CLIP says (waiting while another set is in use); close after. */
    public WeightPatcher.Use usePatches() {
        return model.weights().patcher().use(patches);
    }

    /** Encodes a prompt with ComfyUI's weighting syntax at this CLIP's layer. */
    public ClipTextEncoder.Encoded encode(String prompt) {
        return new ClipTextEncoder(model, tokenizer).encode(prompt, layer);
    }

    /**
     * {@link #encode(String)} with {@code embedding:name} taken from {@code embeddings}, for this tower: SD1's CLIP-L
     * (key {@value Embeddings#KEY_CLIP_L}, the encoder's width).
     */
    public ClipTextEncoder.Encoded encode(String prompt, Embeddings embeddings) {
        return new ClipTextEncoder(model, tokenizer).encode(prompt, layer,
                embeddings.forTower(Embeddings.KEY_CLIP_L, model.config().width()));
    }

    public int layer() {
        return layer;
    }

    public ClipTextModel model() {
        return model;
    }

    @Override
    public void retain() {
        model.retain();
        LoraPatches.applied(patches).forEach(a -> a.lora().retain());
    }

    @Override
    public void release() {
        LoraPatches.applied(patches).forEach(a -> a.lora().release());
        model.release();
    }

    @Override
    public long nativeBytes() {
        return model.nativeBytes();
    }

    @Override
    public String contentHash() {
        return identity + "/layer=" + layer;
    }
}
