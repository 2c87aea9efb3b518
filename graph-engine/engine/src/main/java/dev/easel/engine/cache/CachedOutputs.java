package dev.easel.engine.cache;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's stored result: the value list of every output slot and its UI result.
 *
 * @param outputs per output slot, the list of values (one per call, or joined lists)
 * @param ui      the merged UI result; empty when the node has none
 */
public record CachedOutputs(List<List<Object>> outputs, Map<String, List<Object>> ui) {

    public CachedOutputs {
        outputs = outputs.stream().map(List::copyOf).toList();
        ui = Collections.unmodifiableMap(new LinkedHashMap<>(ui));
    }
}
