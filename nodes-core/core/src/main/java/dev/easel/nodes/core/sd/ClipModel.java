package dev.easel.nodes.core.sd;

import dev.easel.node.ContentHashable;
import dev.easel.node.RefCounted;
import dev.easel.nodes.core.clip.ClipTextEncoder;
import dev.easel.nodes.core.clip.ClipTextModel;
import dev.easel.nodes.core.clip.ClipTokenizer;
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

    public ClipModel(ClipTextModel model, WeightedTokenizer tokenizer, int layer, String identity) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.layer = layer;
        this.identity = identity;
    }

    /** An SD1.x CLIP with the standard tokenizer, using the last layer. */
    public static ClipModel sd1(ClipTextModel model, String identity) {
        return new ClipModel(model, new WeightedTokenizer(ClipTokenizer.standard()), ClipTextEncoder.LAST, identity);
    }

    /** The same encoder stopping at {@code layerIndex} (−1 last, −2 penultimate, ...); shares the weights. */
    public ClipModel withLayer(int layerIndex) {
        model.retain(); // the copy is one more owner of the weights
        return new ClipModel(model, tokenizer, layerIndex, identity);
    }

    /** Encodes a prompt with ComfyUI's weighting syntax at this CLIP's layer. */
    public ClipTextEncoder.Encoded encode(String prompt) {
        return new ClipTextEncoder(model, tokenizer).encode(prompt, layer);
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
    }

    @Override
    public void release() {
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
