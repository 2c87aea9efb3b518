package dev.easel.node;

/** Special fingerprint values (see {@link Node#fingerprint}). */
public enum Fingerprint {
    /** The node's output may differ on every run: never served from the cache (ComfyUI's {@code NaN}). */
    ALWAYS_CHANGED
}
