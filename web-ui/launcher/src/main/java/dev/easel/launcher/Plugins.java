package dev.easel.launcher;

import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.plugins.PackInfo;
import dev.easel.engine.plugins.PackState;
import dev.easel.engine.plugins.PluginHost;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.node.NodeEnvironment;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node packs loaded as plugins for a data folder: the distribution's bundled {@code plugins/} next to the launcher
 * jar (the core pack, {@code easel-core}), if there is one, then {@code <data-dir>/plugins}. The bundled packs come
 * first, so their node names win over a user pack's; {@code disabled.txt} stays in {@code <data-dir>/plugins}.
 */
final class Plugins {

    /** The system property that overrides where the bundled packs are. */
    static final String BUNDLED_PROPERTY = Distribution.property(Distribution.PLUGINS);

    private Plugins() {
    }

    /** The plugin folders for {@code dataDir} in priority order: the bundled ones, then the data folder's own. */
    static List<Path> roots(Path dataDir) {
        List<Path> roots = new ArrayList<>();
        bundled().ifPresent(roots::add);
        roots.add(userRoot(dataDir));
        return roots;
    }

    /** The data folder's plugins folder: user packs, and {@code disabled.txt} for every pack. */
    static Path userRoot(Path dataDir) {
        return dataDir.resolve("plugins");
    }

    /** {@code plugins/} next to the launcher jar (the distribution's bundled packs), when it exists. */
    static Optional<Path> bundled() {
        return Distribution.folder(Distribution.PLUGINS);
    }

    /**
     * Loads every pack of the roots into {@code registry}, reports failed ones and problems as warnings on {@code err}
     * and the load time on {@code timing}.
     */
    static PluginHost load(PrintWriter err, PrintWriter timing, NodeRegistry registry, NodeEnvironment environment,
            OutputCache cache, Path dataDir) {
        PluginHost host = new PluginHost(registry, environment, cache, roots(dataDir), userRoot(dataDir));
        List<PackInfo> packs = host.loadAll();
        report(err, packs);
        if (!packs.isEmpty()) {
            long started = packs.stream().filter(p -> p.state() == PackState.STARTED).count();
            timing.printf("loaded %d of %d node packs from %s in %.1f ms%n", started, packs.size(),
                    String.join(", ", roots(dataDir).stream().map(Path::toString).toList()),
                    host.lastLoadNanos() / 1e6);
        }
        err.flush();
        timing.flush();
        return host;
    }

    /** Prints failed packs and single-node problems as warnings. */
    static void report(PrintWriter err, List<PackInfo> packs) {
        for (PackInfo pack : packs) {
            if (pack.state() == PackState.FAILED) {
                err.println("warning: node pack '" + pack.id() + "' (" + pack.path() + ") " + pack.reason());
            }
            for (String problem : pack.problems()) {
                err.println("warning: node pack '" + pack.id() + "', " + problem);
            }
        }
    }
}
