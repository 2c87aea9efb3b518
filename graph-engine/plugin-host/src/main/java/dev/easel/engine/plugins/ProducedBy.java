package dev.easel.engine.plugins;

import dev.easel.engine.cache.CachedOutputs;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Matches cached results that belong to a pack being unloaded: produced by one of its nodes, or holding a value of
 * one of its classes (looked for a few levels into lists, maps and arrays), which would keep its class loader alive.
 */
final class ProducedBy implements BiPredicate<String, CachedOutputs> {

    private static final int MAX_DEPTH = 4;

    private final Set<String> nodeNames;
    private final ClassLoader loader;

    ProducedBy(Set<String> nodeNames, ClassLoader loader) {
        this.nodeNames = Set.copyOf(nodeNames);
        this.loader = loader;
    }

    @Override
    public boolean test(String classType, CachedOutputs outputs) {
        if (nodeNames.contains(classType)) {
            return true;
        }
        if (loader == null) {
            return false;
        }
        for (List<Object> slot : outputs.outputs()) {
            if (holdsPackClass(slot, 0)) {
                return true;
            }
        }
        return holdsPackClass(outputs.ui(), 0);
    }

    private boolean holdsPackClass(Object value, int depth) {
        if (value == null || depth > MAX_DEPTH) {
            return false;
        }
        if (value.getClass().getClassLoader() == loader) {
            return true;
        }
        if (value instanceof Collection<?> items) {
            for (Object item : items) {
                if (holdsPackClass(item, depth + 1)) {
                    return true;
                }
            }
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (holdsPackClass(e.getKey(), depth + 1) || holdsPackClass(e.getValue(), depth + 1)) {
                    return true;
                }
            }
        } else if (value instanceof Object[] array) {
            for (Object item : array) {
                if (holdsPackClass(item, depth + 1)) {
                    return true;
                }
            }
        }
        return false;
    }
}
