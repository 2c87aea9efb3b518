package dev.easel.engine.plugins;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginDescriptorFinder;
import org.pf4j.PluginRuntimeException;
import org.pf4j.PropertiesPluginDescriptorFinder;

/**
 * Reads a plugin's descriptor: {@code plugin.properties} in a module's build output ({@code target/classes}, for
 * development mode), then {@code plugin.properties} in the jar or folder, then the jar's manifest. Unlike PF4J's
 * compound finder, a failure says what each way found wrong.
 */
final class PackDescriptorFinder implements PluginDescriptorFinder {

    /** Where Maven puts a module's classes and resources. */
    static final String BUILD_OUTPUT = "target/classes";

    private final List<PluginDescriptorFinder> finders = List.of(
            new PropertiesPluginDescriptorFinder() {
                @Override
                public boolean isApplicable(Path pluginPath) {
                    return isModule(pluginPath);
                }

                @Override
                protected Path getPropertiesPath(Path pluginPath, String propertiesFileName) {
                    return pluginPath.resolve(BUILD_OUTPUT).resolve(propertiesFileName);
                }
            },
            new PropertiesPluginDescriptorFinder(),
            new ManifestPluginDescriptorFinder());

    /** A development module: a folder with a {@code target/classes} build output. */
    static boolean isModule(Path path) {
        return Files.isDirectory(path.resolve(BUILD_OUTPUT));
    }

    @Override
    public boolean isApplicable(Path pluginPath) {
        return Files.exists(pluginPath);
    }

    @Override
    public PluginDescriptor find(Path pluginPath) {
        List<String> failures = new ArrayList<>();
        for (PluginDescriptorFinder finder : finders) {
            if (!finder.isApplicable(pluginPath)) {
                continue;
            }
            try {
                PluginDescriptor descriptor = finder.find(pluginPath);
                if (descriptor != null && descriptor.getPluginId() != null && !descriptor.getPluginId().isBlank()) {
                    return descriptor;
                }
                failures.add(label(finder) + " has no plugin id");
            } catch (RuntimeException e) {
                failures.add(label(finder) + ": " + Problems.describe(e));
            }
        }
        throw new PluginRuntimeException("no usable plugin descriptor ({})",
                failures.isEmpty() ? "not a jar, zip or folder" : String.join("; ", failures));
    }

    private static String label(PluginDescriptorFinder finder) {
        return finder instanceof ManifestPluginDescriptorFinder ? "MANIFEST.MF (Plugin-Id ...)" : "plugin.properties";
    }
}
