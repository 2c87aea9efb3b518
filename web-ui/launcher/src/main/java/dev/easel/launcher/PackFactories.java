package dev.easel.launcher;

import dev.easel.caching.PersistableFactories;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.registry.RegisteredNode;
import dev.easel.node.PersistableFactory;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The {@link PersistableFactory}s of the registered node packs. Plugins (the core pack among them) are not on the
 * class path the cache's {@link ServiceLoader} sees, so the disk tier would not rebuild their values (latents)
 * without asking each pack's class loader.
 */
final class PackFactories {

    private PackFactories() {
    }

    /**
     * Adds to {@code factories} those that the class loaders of {@code registry}'s nodes define themselves (a
     * plugin's loader also sees its parent's services, which are not the plugin's own).
     */
    static PersistableFactories addFrom(NodeRegistry registry, PersistableFactories factories) {
        Set<ClassLoader> loaders = Collections.newSetFromMap(new IdentityHashMap<>());
        for (RegisteredNode node : registry.all()) {
            ClassLoader loader = node.node().getClass().getClassLoader();
            if (loader != null && loaders.add(loader)) {
                ServiceLoader.load(PersistableFactory.class, loader).stream()
                        .filter(provider -> provider.type().getClassLoader() == loader)
                        .forEach(provider -> factories.add(provider.get()));
            }
        }
        return factories;
    }
}
