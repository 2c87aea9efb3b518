package dev.easel.caching;

import dev.easel.node.PersistableFactory;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link PersistableFactory}s by {@link PersistableFactory#type()}: the ones on the class path, plus any added. */
public final class PersistableFactories {

    private final Map<String, PersistableFactory> byType = new ConcurrentHashMap<>();

    /** The factories {@link ServiceLoader} finds through {@code loader}. */
    public static PersistableFactories load(ClassLoader loader) {
        PersistableFactories factories = new PersistableFactories();
        for (PersistableFactory factory : ServiceLoader.load(PersistableFactory.class, loader)) {
            factories.add(factory);
        }
        return factories;
    }

    /** The factories on this module's class path. */
    public static PersistableFactories fromClassPath() {
        return load(PersistableFactories.class.getClassLoader());
    }

    /** Adds (or replaces) the factory for its type, for example one a plugin brings. */
    public PersistableFactories add(PersistableFactory factory) {
        byType.put(factory.type(), factory);
        return this;
    }

    public Optional<PersistableFactory> forType(String type) {
        return Optional.ofNullable(byType.get(type));
    }
}
