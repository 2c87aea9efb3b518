package dev.easel.node;

import java.util.Map;

/**
 * Rebuilds a {@link Persistable} value from the parts the disk cache stored. Registered with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.easel.node.PersistableFactory}).
 */
public interface PersistableFactory {

    /** The {@link Persistable#persistentType()} this factory restores. */
    String type();

    /**
     * Rebuilds the value. The parts are owned by the caller; the returned value must take its own references
     * ({@link RefCounted#retain()}) on the parts it keeps, so the caller can release the parts afterwards.
     */
    Object restore(Map<String, Object> parts, Map<String, String> fields);
}
