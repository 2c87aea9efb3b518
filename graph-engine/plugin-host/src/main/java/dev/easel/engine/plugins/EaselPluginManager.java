package dev.easel.engine.plugins;

import java.nio.file.Path;
import java.util.List;
import org.pf4j.BasePluginLoader;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.DefaultPluginStatusProvider;
import org.pf4j.DevelopmentPluginClasspath;
import org.pf4j.JarPluginLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginDescriptorFinder;
import org.pf4j.PluginLoader;
import org.pf4j.PluginStatusProvider;

/**
 * PF4J's default manager (jars, zips, folders) that also loads a Maven module's build output
 * ({@code target/classes} and {@code target/lib}) for development mode, in the normal deployment mode, so released
 * and development packs live in one manager. Not thread-safe: {@link PluginHost} serializes every call.
 */
final class EaselPluginManager extends DefaultPluginManager {

    /** @param statusRoot the folder that keeps {@code disabled.txt} / {@code enabled.txt} (PF4J: the first root) */
    EaselPluginManager(List<Path> roots, Path statusRoot, String systemVersion) {
        super(roots);
        // PF4J made its provider for the first root while constructing; replace it before anything reads it.
        pluginStatusProvider = new DefaultPluginStatusProvider(statusRoot);
        setSystemVersion(systemVersion);
    }

    @Override
    protected PluginDescriptorFinder createPluginDescriptorFinder() {
        return new PackDescriptorFinder();
    }

    @Override
    protected PluginLoader createPluginLoader() {
        PluginLoader module = new BasePluginLoader(this, DevelopmentPluginClasspath.MAVEN) {
            @Override
            public boolean isApplicable(Path pluginPath) {
                return PackDescriptorFinder.isModule(pluginPath);
            }
        };
        return new CompoundPluginLoader()
                .add(module)
                .add(new JarPluginLoader(this))
                .add(new DefaultPluginLoader(this));
    }

    /** The descriptor at {@code path}; throws with the reason when there is none. */
    PluginDescriptor describe(Path path) {
        PluginDescriptor descriptor = getPluginDescriptorFinder().find(path);
        validatePluginDescriptor(descriptor);
        return descriptor;
    }

    /** Which plugins are disabled ({@code disabled.txt} / {@code enabled.txt} in the status folder). */
    PluginStatusProvider status() {
        return pluginStatusProvider;
    }
}
