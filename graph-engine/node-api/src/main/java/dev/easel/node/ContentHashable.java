package dev.easel.node;

/**
 * A value that can name its content with a stable hash. After a node runs, the engine hashes its outputs, and the
 * cache keys of downstream nodes use these hashes instead of the upstream node's own key ("early cutoff"): a node
 * that is recomputed with a byte-identical result leaves everything below it cached.
 *
 * <p>Tensors hash their dtype, shape and bytes; a loaded model hashes its identity (the file's hash and its patches).
 * Values that do not implement this are identified by the key of the node that made them, which is correct but gives
 * no early cutoff. Plain Java values (numbers, strings, booleans, lists, maps) are hashed by the engine.
 */
public interface ContentHashable {

    /** A stable hex digest of the value's content: equal content, equal hash, in any process. */
    String contentHash();
}
