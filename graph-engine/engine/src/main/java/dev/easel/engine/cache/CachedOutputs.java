package dev.easel.engine.cache;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's stored result: the value list of every output slot, a content hash per slot, and its UI result.
 *
 * @param outputs    per output slot, the list of values (one per call, or joined lists)
 * @param slotHashes per output slot, the hash of its content; downstream cache keys are built from these
 *                   (early cutoff: equal content gives equal downstream keys)
 * @param ui         the merged UI result; empty when the node has none
 */
public record CachedOutputs(List<List<Object>> outputs, List<String> slotHashes, Map<String, List<Object>> ui) {

    public CachedOutputs {
        outputs = outputs.stream().map(List::copyOf).toList();
        slotHashes = List.copyOf(slotHashes);
        ui = Collections.unmodifiableMap(new LinkedHashMap<>(ui));
        if (slotHashes.size() != outputs.size()) {
            throw new IllegalArgumentException("one hash per output slot: " + slotHashes.size() + " hashes for "
                    + outputs.size() + " slots");
        }
    }
}
