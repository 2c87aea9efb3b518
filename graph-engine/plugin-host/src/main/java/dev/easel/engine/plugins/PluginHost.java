package dev.easel.engine.plugins;

import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.registry.RegisteredNode;
import dev.easel.node.FolderPackLoader;
import dev.easel.node.NodeEnvironment;
import dev.easel.node.NodePack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * Loads node packs as PF4J plugins (jars, zips, folders, and Maven modules' build output in development mode) and
 * registers their {@link NodePack} extensions in a {@link NodeRegistry} under the plugin id. Each pack stands alone:
 * a broken jar, a bad descriptor, a failing start, a pack whose {@code nodes()} throws, or one without packs is
 * {@link PackState#FAILED failed} with its reason and unloaded; a node whose name another pack owns is reported as a
 * problem of the later pack (the first owner keeps it), so the roots are in priority order. Packs can be listed,
 * enabled, disabled (kept across restarts in the status folder's {@code disabled.txt}) and reloaded at runtime.
 *
 * <p>A folder of a root without a plugin descriptor may be a <em>folder pack</em>: a pack that is not Java, read by a
 * {@link FolderPackLoader} that a started plugin offers (the JavaScript plugin reads {@code easel-pack.json}
 * folders). Folder packs are listed, enabled, disabled and reloaded like plugins; they load after all plugins, and
 * while the plugin that reads them is stopped they are too.
 *
 * <p>Unloading drops everything of the pack the engine holds: its registry entries, its cached results (values of
 * its classes included) and PF4J's class loader, so the old classes can be collected. All operations are serialized
 * (PF4J is not thread-safe). A run that already resolved the pack's nodes keeps their instances; the callers (the
 * server) apply changes between jobs, so no run sees a pack disappear under it.
 */
public final class PluginHost implements AutoCloseable {

    /** The Easel version plugins' {@code Plugin-Requires} is checked against. */
    public static final String SYSTEM_VERSION = "0.1.0";

    private static final System.Logger LOG = System.getLogger("easel.plugins");

    private final NodeRegistry registry;
    private final NodeEnvironment environment;
    private final OutputCache cache;
    private final List<Path> roots;
    private final Path statusRoot;
    private final EaselPluginManager manager;
    private final Map<String, Pack> packs = new LinkedHashMap<>();
    /** The folder pack loaders of the started plugins, by plugin id, in load order. */
    private final Map<String, List<FolderPackLoader>> folderLoaders = new LinkedHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private long lastLoadNanos;

    /** What the host remembers of a plugin; never its classes. */
    private static final class Pack {
        final String id;
        final Path path;
        final boolean development;
        /** The plugin whose folder pack loader reads this pack; null for a plugin. */
        final String readBy;
        String version = "";
        String description = "";
        PackState state;
        String reason;

        Pack(String id, Path path, boolean development) {
            this(id, path, development, null);
        }

        Pack(String id, Path path, boolean development, String readBy) {
            this.id = id;
            this.path = path;
            this.development = development;
            this.readBy = readBy;
        }

        boolean isFolderPack() {
            return readBy != null;
        }
    }

    /**
     * @param registry    where the packs' nodes are registered (it may already hold class-path packs, which keep
     *                    their names)
     * @param environment what the packs see of the Easel instance
     * @param cache       the engine's output cache, emptied of a pack's results when it is unloaded
     * @param roots       the plugin folders; the first one keeps {@code disabled.txt}
     */
    public PluginHost(NodeRegistry registry, NodeEnvironment environment, OutputCache cache, List<Path> roots) {
        this(registry, environment, cache, roots, first(roots));
    }

    /**
     * @param roots      the plugin folders in priority order: a node name belongs to the pack loaded first
     * @param statusRoot the folder that keeps {@code disabled.txt} (the user's plugins folder, when read-only bundled
     *                   packs come first); need not be one of {@code roots}
     */
    public PluginHost(NodeRegistry registry, NodeEnvironment environment, OutputCache cache, List<Path> roots,
            Path statusRoot) {
        first(roots); // at least one
        this.registry = registry;
        this.environment = environment;
        this.cache = cache;
        this.roots = roots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        this.statusRoot = statusRoot.toAbsolutePath().normalize();
        this.manager = new EaselPluginManager(this.roots, this.statusRoot, SYSTEM_VERSION);
    }

    private static Path first(List<Path> roots) {
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("at least one plugins folder is needed");
        }
        return roots.get(0);
    }

    /** Calls {@code listener} after every change of the loaded packs (to re-render object_info, say). */
    public void addChangeListener(Runnable listener) {
        listeners.add(listener);
    }

    /**
     * Loads every jar, zip and folder in the roots, in name order, skipping disabled ones.
     *
     * @return the packs, as {@link #list()}
     */
    public synchronized List<PackInfo> loadAll() {
        long start = System.nanoTime();
        for (Path root : roots) {
            for (Path path : candidates(root)) {
                if (!isFolderPackCandidate(path)) {
                    load(path, false);
                }
            }
        }
        loadFolderPacks();
        lastLoadNanos = System.nanoTime() - start;
        changed();
        return list();
    }

    /** How long the last {@link #loadAll()} took. */
    public synchronized long lastLoadNanos() {
        return lastLoadNanos;
    }

    /**
     * Loads a pack from a Maven module folder's build output ({@code <module>/target/classes}, with its
     * {@code plugin.properties}), for development; {@link DevPackWatcher} reloads it when it is rebuilt.
     *
     * @return the pack
     */
    public synchronized PackInfo loadDevelopmentPack(Path module) {
        Path dir = module.toAbsolutePath().normalize();
        if (!PackDescriptorFinder.isModule(dir)) {
            throw new IllegalArgumentException(dir + " has no build output (" + PackDescriptorFinder.BUILD_OUTPUT
                    + "); build the module first");
        }
        Pack pack = loadPlugin(dir, true);
        changed();
        return info(pack);
    }

    /** Every pack known, in load order. */
    public synchronized List<PackInfo> list() {
        return packs.values().stream().map(this::info).toList();
    }

    /** The pack {@code id}, if known. */
    public synchronized Optional<PackInfo> find(String id) {
        return Optional.ofNullable(packs.get(id)).map(this::info);
    }

    /** Turns a disabled or failed pack on again (and keeps it on across restarts). */
    public synchronized PackInfo enable(String id) {
        Pack pack = require(id);
        manager.status().enablePlugin(id);
        if (pack.state != PackState.STARTED) {
            packs.remove(id);
            pack = pack.isFolderPack() ? loadFolderPack(pack.path) : loadPlugin(pack.path, pack.development);
            changed();
        }
        return info(pack);
    }

    /** Unloads a pack and keeps it off across restarts. */
    public synchronized PackInfo disable(String id) {
        Pack pack = require(id);
        unload(pack);
        persistDisabled(id);
        pack.state = PackState.DISABLED;
        pack.reason = null;
        changed();
        return info(pack);
    }

    /**
     * Unloads a pack and loads it again from disk (the jar or build output may have changed): its nodes are replaced
     * without restarting the engine. A disabled pack stays disabled.
     *
     * @throws IllegalStateException when the pack is disabled
     */
    public synchronized PackInfo reload(String id) {
        Pack pack = require(id);
        if (pack.state == PackState.DISABLED) {
            throw new IllegalStateException("pack '" + id + "' is disabled; enable it to load it");
        }
        unload(pack);
        packs.remove(id);
        Pack fresh = pack.isFolderPack() ? loadFolderPack(pack.path) : loadPlugin(pack.path, pack.development);
        changed();
        return info(fresh);
    }

    /** The class loader of a started pack (for leak checks in tests). */
    public synchronized Optional<ClassLoader> classLoader(String id) {
        return Optional.ofNullable(manager.getPluginClassLoader(id));
    }

    /** Unloads every pack. */
    @Override
    public synchronized void close() {
        List<Pack> all = new ArrayList<>(packs.values());
        Collections.reverse(all); // folder packs before the plugins that read them
        for (Pack pack : all) {
            unload(pack);
        }
        packs.clear();
    }

    // ---------------------------------------------------------------------------------------------- loading

    /** Plugin candidates of a root: jars, zips and folders, not hidden, not the folder a zip was expanded into. */
    private static List<Path> candidates(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            List<Path> all = entries.sorted(Comparator.comparing(Path::toString)).toList();
            Set<String> zips = all.stream().map(p -> p.getFileName().toString())
                    .filter(n -> n.toLowerCase(Locale.ROOT).endsWith(".zip"))
                    .map(n -> n.substring(0, n.length() - 4)).collect(Collectors.toSet());
            List<Path> found = new ArrayList<>();
            for (Path p : all) {
                String name = p.getFileName().toString();
                String lower = name.toLowerCase(Locale.ROOT);
                if (name.startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(p) ? !zips.contains(name) : lower.endsWith(".jar") || lower.endsWith(".zip")) {
                    found.add(p);
                }
            }
            return found;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list the plugins folder " + root + ": " + e);
            return List.of();
        }
    }

    /** Loads the plugin at {@code path}, then, if it reads folder packs, the folder packs it reads. */
    private Pack loadPlugin(Path path, boolean development) {
        Pack pack = load(path, development);
        if (folderLoaders.containsKey(pack.id)) {
            loadFolderPacks();
        }
        return pack;
    }

    /** Loads, starts and registers the plugin at {@code path}; records it whatever happens. */
    private Pack load(Path path, boolean development) {
        PluginDescriptor descriptor;
        try {
            descriptor = manager.describe(path);
        } catch (RuntimeException e) {
            return failed(new Pack(uniqueId(path.getFileName().toString()), path, development),
                    "cannot read its plugin descriptor: " + e.getMessage());
        }
        String id = descriptor.getPluginId();
        Pack existing = packs.get(id);
        if (existing != null) {
            return failed(new Pack(uniqueId(path.getFileName().toString()), path, development),
                    "its plugin id '" + id + "' is already used by " + existing.path);
        }
        if (registry.all().stream().anyMatch(n -> n.packId().equals(id))) {
            // The same pack is on the class path (tests, embedding): keep that one, and never unregister its nodes.
            Pack skipped = new Pack(uniqueId(id + "@" + path.getFileName()), path, development);
            skipped.state = PackState.FAILED;
            skipped.reason = "a node pack with the id '" + id + "' is already loaded from the class path; this copy"
                    + " is not loaded";
            packs.put(skipped.id, skipped);
            LOG.log(System.Logger.Level.WARNING, "node pack '" + id + "' (" + path + ") " + skipped.reason);
            return skipped;
        }
        Pack pack = new Pack(id, path, development);
        pack.version = String.valueOf(descriptor.getVersion());
        pack.description = descriptor.getPluginDescription() == null ? "" : descriptor.getPluginDescription();
        packs.put(id, pack);
        if (manager.status().isPluginDisabled(id)) {
            pack.state = PackState.DISABLED;
            return pack;
        }
        try {
            manager.loadPlugin(path);
        } catch (RuntimeException | LinkageError e) {
            return failed(pack, "cannot be loaded: " + Problems.describe(e));
        }
        PluginWrapper wrapper = manager.getPlugin(id);
        if (wrapper == null) {
            return failed(pack, "cannot be loaded (PF4J gave no reason; see the log)");
        }
        if (wrapper.getPluginState() == PluginState.DISABLED) { // PF4J's word for "invalid"
            return failed(pack, "requires Easel " + descriptor.getRequires() + ", this is " + SYSTEM_VERSION);
        }
        try {
            PluginState state = manager.startPlugin(id);
            if (state != PluginState.STARTED) {
                return failed(pack, "did not start (" + state + (wrapper.getFailedException() == null ? ""
                        : ": " + Problems.describe(wrapper.getFailedException())) + ")");
            }
        } catch (RuntimeException | LinkageError e) {
            return failed(pack, "failed to start: " + Problems.describe(e));
        }
        String problem = registerExtensions(pack, wrapper);
        if (problem != null) {
            return failed(pack, problem);
        }
        pack.state = PackState.STARTED;
        LOG.log(System.Logger.Level.DEBUG, "node pack " + info(pack));
        return pack;
    }

    // ---------------------------------------------------------------------------------------------- folder packs

    /** A folder without a plugin descriptor: a folder pack, if some plugin reads its manifest. */
    private boolean isFolderPackCandidate(Path path) {
        if (!Files.isDirectory(path) || PackDescriptorFinder.isModule(path)) {
            return false;
        }
        try {
            manager.describe(path);
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }

    /**
     * Loads the folder packs of every root that are not loaded yet (or failed because the plugin that reads them was
     * stopped); a folder that no started plugin reads is failed with the reason.
     */
    private void loadFolderPacks() {
        Set<Path> held = new HashSet<>();
        for (Pack pack : packs.values()) {
            if (pack.state != PackState.FAILED) {
                held.add(pack.path);
            }
        }
        for (Path root : roots) {
            for (Path path : candidates(root)) {
                if (held.contains(path) || !isFolderPackCandidate(path)) {
                    continue;
                }
                packs.values().removeIf(p -> p.path.equals(path) && p.state == PackState.FAILED);
                loadFolderPack(path);
            }
        }
    }

    /** Reads, registers and records the folder pack at {@code path} with the first loader whose manifest it has. */
    private Pack loadFolderPack(Path path) {
        String folderName = path.getFileName().toString();
        Map.Entry<String, FolderPackLoader> reader = readerOf(path);
        if (reader == null) {
            String reason = "is neither a plugin (no plugin.properties or manifest with a Plugin-Id) nor a folder pack";
            List<String> manifests = folderLoaders.values().stream().flatMap(List::stream)
                    .map(FolderPackLoader::manifestFile).distinct().toList();
            return failed(new Pack(uniqueId(folderName), path, false), reason + (manifests.isEmpty()
                    ? " (no started plugin reads folder packs)" : " (no " + String.join(" or ", manifests) + ")"));
        }
        String readBy = reader.getKey();
        FolderPackLoader loader = reader.getValue();
        String id;
        try {
            id = loader.packId(path);
        } catch (Exception | LinkageError e) {
            return failed(new Pack(uniqueId(folderName), path, false, readBy),
                    "cannot read its " + loader.manifestFile() + ": " + folderPackProblem(e));
        }
        Pack existing = packs.get(id);
        if (existing != null || registry.all().stream().anyMatch(n -> n.packId().equals(id))) {
            return failed(new Pack(uniqueId(id + "@" + folderName), path, false, readBy), "its pack id '" + id
                    + "' is already used by " + (existing != null ? existing.path : "a pack on the class path"));
        }
        Pack pack = new Pack(id, path, false, readBy);
        packs.put(id, pack);
        if (manager.status().isPluginDisabled(id)) {
            pack.state = PackState.DISABLED;
            return pack;
        }
        NodePack nodePack;
        try {
            nodePack = loader.load(path);
        } catch (Exception | LinkageError e) {
            return failed(pack, "cannot be loaded: " + folderPackProblem(e));
        }
        if (registry.register(nodePack, environment, id) == 0) {
            return failed(pack, registry.problems(id).stream().map(p -> p.nodeName() == null ? p.reason()
                    : "node '" + p.nodeName() + "': " + p.reason()).collect(Collectors.joining("; ", "", ""))
                    .transform(r -> r.isEmpty() ? "declares no nodes" : r));
        }
        pack.state = PackState.STARTED;
        LOG.log(System.Logger.Level.DEBUG, "folder pack " + info(pack));
        return pack;
    }

    /** A loader's checked exceptions carry a message for people; anything else is a bug worth its class name. */
    private static String folderPackProblem(Throwable e) {
        return e instanceof RuntimeException || e instanceof Error || e.getMessage() == null
                ? Problems.describe(e) : e.getMessage();
    }

    /** The plugin id and loader of the first started plugin that reads the folder's manifest, or null. */
    private Map.Entry<String, FolderPackLoader> readerOf(Path folder) {
        for (Map.Entry<String, List<FolderPackLoader>> entry : folderLoaders.entrySet()) {
            for (FolderPackLoader loader : entry.getValue()) {
                if (Files.isRegularFile(folder.resolve(loader.manifestFile()))) {
                    return Map.entry(entry.getKey(), loader);
                }
            }
        }
        return null;
    }

    /** Registers the plugin's node packs; returns why the plugin as a whole failed, or null. */
    private String registerExtensions(Pack pack, PluginWrapper wrapper) {
        ClassLoader loader = wrapper.getPluginClassLoader();
        List<String> failures = new ArrayList<>();
        int packsFound = 0;
        int registered = 0;
        List<FolderPackLoader> loaders = new ArrayList<>();
        for (String className : manager.getExtensionClassNames(pack.id)) {
            Object extension;
            try {
                Class<?> type = Class.forName(className, false, loader);
                if (!NodePack.class.isAssignableFrom(type) && !FolderPackLoader.class.isAssignableFrom(type)) {
                    continue;
                }
                extension = manager.getExtensionFactory().create(type);
            } catch (Exception | LinkageError e) {
                failures.add("extension " + className + " cannot be created: " + Problems.describe(e));
                continue;
            }
            if (extension instanceof FolderPackLoader folderLoader) {
                loaders.add(folderLoader);
            }
            if (extension instanceof NodePack nodePack) {
                packsFound++;
                registered += registry.register(nodePack, environment, pack.id);
            }
        }
        if (!loaders.isEmpty()) {
            folderLoaders.put(pack.id, List.copyOf(loaders));
        }
        if (registered > 0 || !loaders.isEmpty() && failures.isEmpty()) {
            return null;
        }
        registry.problems(pack.id).forEach(p -> failures.add(p.nodeName() == null ? p.reason()
                : "node '" + p.nodeName() + "': " + p.reason()));
        if (failures.isEmpty()) {
            return packsFound == 0
                    ? "declares no NodePack extension (is the pack class annotated with @org.pf4j.Extension?)"
                    : "its packs declare no nodes";
        }
        return String.join("; ", failures);
    }

    private Pack failed(Pack pack, String reason) {
        unload(pack);
        pack.state = PackState.FAILED;
        pack.reason = reason;
        packs.putIfAbsent(pack.id, pack);
        LOG.log(System.Logger.Level.WARNING, "node pack '" + pack.id + "' (" + pack.path + ") " + reason);
        return pack;
    }

    /** Removes the pack's nodes, cached results and class loader, and stops the folder packs it reads. */
    private void unload(Pack pack) {
        if (folderLoaders.remove(pack.id) != null) {
            for (Pack read : List.copyOf(packs.values())) {
                if (pack.id.equals(read.readBy) && read.state == PackState.STARTED) {
                    unload(read);
                    read.state = PackState.FAILED;
                    read.reason = "is not loaded while the plugin '" + pack.id + "', which reads it, is stopped";
                }
            }
        }
        List<RegisteredNode> removed = registry.unregisterPack(pack.id);
        ClassLoader loader = pack.isFolderPack() ? null : manager.getPluginClassLoader(pack.id);
        Set<String> names = removed.stream().map(RegisteredNode::name).collect(Collectors.toSet());
        if (!names.isEmpty() || loader != null) {
            int dropped = cache.dropIf(new ProducedBy(names, loader));
            if (dropped > 0) {
                LOG.log(System.Logger.Level.DEBUG, "dropped " + dropped + " cached results of pack " + pack.id);
            }
        }
        if (!pack.isFolderPack() && manager.getPlugin(pack.id) != null) {
            try {
                manager.unloadPlugin(pack.id);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot unload node pack '" + pack.id + "': " + e);
            }
        }
    }

    private void persistDisabled(String id) {
        try {
            Files.createDirectories(statusRoot);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + statusRoot + " to remember that '" + id
                    + "' is disabled: " + e, e);
        }
        manager.status().disablePlugin(id);
    }

    private String uniqueId(String base) {
        String id = base;
        for (int i = 2; packs.containsKey(id); i++) {
            id = base + "#" + i;
        }
        return id;
    }

    private Pack require(String id) {
        Pack pack = packs.get(id);
        if (pack == null) {
            throw new NoSuchElementException("no node pack '" + id + "'");
        }
        return pack;
    }

    private PackInfo info(Pack pack) {
        List<String> nodes = pack.state == PackState.STARTED
                ? registry.all().stream().filter(n -> n.packId().equals(pack.id)).map(RegisteredNode::name).toList()
                : List.of();
        List<String> problems = pack.state == PackState.STARTED
                ? registry.problems(pack.id).stream().map(p -> (p.nodeName() == null ? "" : "node '" + p.nodeName()
                        + "': ") + p.reason()).toList()
                : List.of();
        return new PackInfo(pack.id, pack.version, pack.description, pack.path, pack.state, pack.reason, nodes,
                problems, pack.development, pack.readBy);
    }

    private void changed() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a plugin change listener failed", e);
            }
        }
    }
}
