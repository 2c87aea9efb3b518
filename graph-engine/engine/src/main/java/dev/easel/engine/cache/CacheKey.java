package dev.easel.engine.cache;

/**
 * A node's cache key: a SHA-256 (hex) over its class, its normalised literal inputs, its fingerprint and the keys of
 * the nodes feeding it, slot by slot. Node ids take no part, so the same subgraph has the same key in any workflow.
 */
public record CacheKey(String hex) {

    @Override
    public String toString() {
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }
}
