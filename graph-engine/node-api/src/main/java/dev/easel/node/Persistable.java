package dev.easel.node;

import java.util.Map;

/**
 * A value the disk cache can store and bring back after a restart. It breaks itself into named tensor parts and
 * text fields; a {@link PersistableFactory} with the same {@link #persistentType()} rebuilds it. Tensors themselves
 * ({@code TensorRef}) are stored by the cache directly; plain numbers, strings and booleans too.
 */
public interface Persistable extends RefCounted {

    /** The id of the factory that restores this value, for example {@code "easel.latent"}. */
    String persistentType();

    /** The tensor parts by name (values the disk cache can store, usually tensors). */
    Map<String, Object> parts();

    /** Small text fields needed to rebuild the value. */
    Map<String, String> fields();
}
