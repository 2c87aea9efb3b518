package dev.easel.engine.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * ComfyUI's model folders ({@code folder_paths.py}): named folder types ({@code checkpoints}, {@code loras},
 * {@code vae}, ...), each a list of directories plus an extension filter, with the defaults under
 * {@code <base>/models/}, extra directories from {@code extra_model_paths.yaml}, recursive listings of relative names
 * (with {@code /}) cached until a directory's modification time changes, and name resolution that refuses to leave the
 * folder.
 *
 * <p>The legacy type names {@code clip} and {@code unet} map to {@code text_encoders} and {@code diffusion_models}
 * everywhere a type name is taken. Thread-safe.
 */
public final class ModelFolders {

    /** ComfyUI's {@code supported_pt_extensions}. */
    public static final Set<String> MODEL_EXTENSIONS =
            Set.of(".ckpt", ".pt", ".pt2", ".bin", ".pth", ".safetensors", ".pkl", ".sft");

    /** Legacy folder type names and what they mean now. */
    public static final Map<String, String> LEGACY_NAMES = Map.of("unet", "diffusion_models", "clip", "text_encoders");

    /**
     * Directory mtimes within this many nanoseconds of a scan may not yet reflect a change made in the same clock
     * tick, so such listings are not trusted from the cache (the "racy" case git also guards against).
     */
    private static final long RACY_NANOS = 2_000_000_000L;

    private final Path base;
    private final Map<String, Folder> folders = new LinkedHashMap<>();
    private final Map<String, Listing> cache = new HashMap<>();

    /** A folder type: its directories in search order and its extensions (empty: every file). */
    private record Folder(List<Path> paths, Set<String> extensions) {
    }

    /** A cached listing with what it depends on. */
    private record Listing(List<Path> paths, List<String> names, Map<Path, FileTime> directories, Set<Path> missing,
            boolean racy) {
    }

    /**
     * The default folders of a ComfyUI base directory (ComfyUI's folder, or {@code --base-directory}): every type
     * under {@code <base>/models/}, and {@code custom_nodes} under {@code <base>}.
     */
    public ModelFolders(Path base) {
        this.base = base.toAbsolutePath().normalize();
        Path models = this.base.resolve("models");
        Set<String> pt = MODEL_EXTENSIONS;
        define("checkpoints", pt, models.resolve("checkpoints"));
        define("configs", Set.of(".yaml"), models.resolve("configs"));
        define("loras", pt, models.resolve("loras"));
        define("vae", pt, models.resolve("vae"));
        define("text_encoders", pt, models.resolve("text_encoders"), models.resolve("clip"));
        define("diffusion_models", pt, models.resolve("unet"), models.resolve("diffusion_models"));
        define("clip_vision", pt, models.resolve("clip_vision"));
        define("style_models", pt, models.resolve("style_models"));
        define("embeddings", pt, models.resolve("embeddings"));
        define("diffusers", Set.of("folder"), models.resolve("diffusers"));
        define("vae_approx", pt, models.resolve("vae_approx"));
        define("controlnet", pt, models.resolve("controlnet"), models.resolve("t2i_adapter"));
        define("gligen", pt, models.resolve("gligen"));
        define("upscale_models", pt, models.resolve("upscale_models"));
        define("latent_upscale_models", pt, models.resolve("latent_upscale_models"));
        define("custom_nodes", Set.of(), this.base.resolve("custom_nodes"));
        define("hypernetworks", pt, models.resolve("hypernetworks"));
        define("photomaker", pt, models.resolve("photomaker"));
        define("classifiers", Set.of(""), models.resolve("classifiers"));
        define("model_patches", pt, models.resolve("model_patches"));
        define("audio_encoders", pt, models.resolve("audio_encoders"));
        define("frame_interpolation", pt, models.resolve("frame_interpolation"));
    }

    private void define(String type, Set<String> extensions, Path... paths) {
        folders.put(type, new Folder(new ArrayList<>(List.of(paths)), Set.copyOf(extensions)));
    }

    /** The base directory. */
    public Path base() {
        return base;
    }

    /** {@code <base>/models}. */
    public Path modelsDir() {
        return base.resolve("models");
    }

    /** The current name of a folder type ({@code clip} becomes {@code text_encoders}, {@code unet} becomes {@code diffusion_models}). */
    public static String mapLegacy(String type) {
        return LEGACY_NAMES.getOrDefault(type, type);
    }

    /** The folder types, in definition order. */
    public synchronized List<String> types() {
        return List.copyOf(folders.keySet());
    }

    /** True when {@code type} (or its legacy name) is a folder type. */
    public synchronized boolean hasType(String type) {
        return folders.containsKey(mapLegacy(type));
    }

    /** The directories of {@code type}, in search order. */
    public synchronized List<Path> paths(String type) {
        return List.copyOf(folder(type).paths);
    }

    /** The extensions {@code type} lists (lower case, with the dot); empty means every file. */
    public synchronized Set<String> extensions(String type) {
        return folder(type).extensions;
    }

    /**
     * ComfyUI's {@code add_model_folder_path}: adds {@code directory} to {@code type} (a new type, listing every file,
     * when it is unknown). A default directory goes first (and is moved first when already present); others are
     * appended unless already present.
     */
    public synchronized void addPath(String type, Path directory, boolean isDefault) {
        String name = mapLegacy(type);
        Path dir = directory.toAbsolutePath().normalize();
        Folder folder = folders.get(name);
        if (folder == null) {
            folders.put(name, new Folder(new ArrayList<>(List.of(dir)), Set.of()));
            return;
        }
        List<Path> paths = folder.paths;
        if (paths.contains(dir)) {
            if (isDefault && !paths.get(0).equals(dir)) {
                paths.remove(dir);
                paths.add(0, dir);
            }
        } else if (isDefault) {
            paths.add(0, dir);
        } else {
            paths.add(dir);
        }
    }

    /** Defines (or redefines) a folder type, for node packs with folders of their own. */
    public synchronized void register(String type, List<Path> directories, Set<String> extensions) {
        List<Path> dirs = new ArrayList<>();
        directories.forEach(d -> dirs.add(d.toAbsolutePath().normalize()));
        Set<String> ext = new LinkedHashSet<>();
        extensions.forEach(e -> ext.add(e.toLowerCase(Locale.ROOT)));
        folders.put(mapLegacy(type), new Folder(dirs, Set.copyOf(ext)));
        cache.remove(mapLegacy(type));
    }

    /**
     * ComfyUI's {@code get_filename_list}: the files of {@code type} in all its directories (recursively, following
     * symbolic links, skipping {@code .git} directories), filtered by extension (case-insensitive), as relative names
     * with {@code /} between folders, without duplicates, sorted by code point. Cached until the modification time of
     * a listed directory changes or a missing directory appears.
     *
     * @throws IllegalArgumentException for an unknown type
     */
    public List<String> list(String type) {
        String name = mapLegacy(type);
        Folder folder;
        synchronized (this) {
            folder = folder(name);
            Listing cached = cache.get(name);
            if (cached != null && cached.paths.equals(folder.paths) && fresh(cached)) {
                return cached.names;
            }
            folder = new Folder(List.copyOf(folder.paths), folder.extensions);
        }
        Listing listing = scan(folder);
        synchronized (this) {
            cache.put(name, listing);
        }
        return listing.names;
    }

    /** Forgets every cached listing. */
    public synchronized void invalidate() {
        cache.clear();
    }

    /**
     * ComfyUI's {@code get_full_path}: the first existing file called {@code name} (a relative name as {@link #list}
     * returns it; {@code \} is accepted as a separator too) in the directories of {@code type}.
     *
     * @return empty when no directory holds such a file (or {@code type} is unknown)
     * @throws IllegalArgumentException when {@code name} is absolute, contains a {@code ..} segment or is empty (so
     *         it cannot name a path outside the folder; symbolic links inside the folder are followed, as the
     *         listing does)
     */
    public Optional<Path> resolve(String type, String name) {
        String relative = checkName(name);
        List<Path> dirs;
        synchronized (this) {
            Folder folder = folders.get(mapLegacy(type));
            if (folder == null) {
                return Optional.empty();
            }
            dirs = List.copyOf(folder.paths);
        }
        for (Path dir : dirs) {
            Path candidate = dir.resolve(relative).normalize();
            if (!candidate.startsWith(dir)) {
                throw new IllegalArgumentException("model name '" + name + "' escapes the folder " + dir);
            }
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Like {@link #resolve} but with an error naming the type, the name and the directories searched when there is
     * no such file.
     */
    public Path require(String type, String name) {
        return resolve(type, name).orElseThrow(() -> new IllegalArgumentException("model '" + name + "' not found in "
                + mapLegacy(type) + " (" + (hasType(type) ? paths(type) : "unknown folder type") + ")"));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // extra_model_paths.yaml

    /**
     * ComfyUI's {@code load_extra_path_config}: adds the directories of an {@code extra_model_paths.yaml}. Each
     * top-level section (any name) may set {@code base_path} ({@code ~} and environment variables expanded; relative
     * to the yaml's folder when relative) and {@code is_default} (its paths go first); every other entry is
     * {@code folder_type: paths}, one path per line, each joined to {@code base_path} (or taken relative to the yaml's
     * folder when there is none and the path is relative), normalised, and added with {@link #addPath}. A list of
     * paths is accepted as well as a multi-line string. The YAML is read with SnakeYAML's safe constructor (plain
     * maps, lists and scalars; no other types).
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when it is not valid YAML or not a mapping of sections
     */
    public void loadExtraModelPaths(Path yaml) throws IOException {
        loadExtraModelPaths(yaml, System::getenv);
    }

    /** {@link #loadExtraModelPaths(Path)} with a given environment (for tests). */
    public void loadExtraModelPaths(Path yaml, Function<String, String> environment) throws IOException {
        Object config;
        try (InputStream in = Files.newInputStream(yaml)) {
            config = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (RuntimeException e) { // YAMLException and friends
            throw new IllegalArgumentException(yaml + ": not valid YAML: " + e.getMessage(), e);
        }
        if (config == null) {
            return;
        }
        if (!(config instanceof Map<?, ?> sections)) {
            throw new IllegalArgumentException(yaml + ": expected a mapping of sections at the top level");
        }
        Path yamlDir = yaml.toAbsolutePath().getParent();
        for (Map.Entry<?, ?> section : sections.entrySet()) {
            if (section.getValue() == null) {
                continue;
            }
            if (!(section.getValue() instanceof Map<?, ?> conf)) {
                throw new IllegalArgumentException(yaml + ": section '" + section.getKey() + "' must be a mapping");
            }
            Map<Object, Object> entries = new LinkedHashMap<>(conf);
            Path basePath = null;
            if (entries.containsKey("base_path")) {
                Object value = entries.remove("base_path");
                String expanded = expandVars(expandUser(String.valueOf(value)), environment);
                basePath = Path.of(expanded);
                if (!basePath.isAbsolute()) {
                    basePath = yamlDir.resolve(basePath).normalize();
                }
            }
            boolean isDefault = false;
            if (entries.containsKey("is_default")) {
                isDefault = truthy(entries.remove("is_default"));
            }
            for (Map.Entry<Object, Object> entry : entries.entrySet()) {
                String type = String.valueOf(entry.getKey());
                Object value = entry.getValue();
                List<String> lines = new ArrayList<>();
                if (value instanceof List<?> list) {
                    list.forEach(v -> lines.add(String.valueOf(v)));
                } else if (value != null) {
                    Collections.addAll(lines, String.valueOf(value).split("\n", -1));
                }
                for (String line : lines) {
                    if (line.isEmpty()) {
                        continue;
                    }
                    Path full;
                    if (basePath != null) {
                        full = basePath.resolve(line);
                    } else {
                        Path p = Path.of(line);
                        full = p.isAbsolute() ? p : yamlDir.resolve(p);
                    }
                    addPath(type, full.normalize(), isDefault);
                }
            }
        }
    }

    /** Python's {@code os.path.expanduser} for {@code ~} and {@code ~/...} (other users' {@code ~name} stay as they are). */
    static String expandUser(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            String home = System.getProperty("user.home");
            String h = home.endsWith("/") && home.length() > 1 ? home.substring(0, home.length() - 1) : home;
            return h + path.substring(1);
        }
        return path;
    }

    /**
     * Python's POSIX {@code os.path.expandvars}: {@code $name} and {@code ${name}} (name: letters, digits,
     * underscores) are replaced by the variable's value; unknown variables are left unchanged.
     */
    static String expandVars(String path, Function<String, String> environment) {
        if (path.indexOf('$') < 0) {
            return path;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < path.length()) {
            char c = path.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            int start = i + 1;
            boolean braced = start < path.length() && path.charAt(start) == '{';
            int nameStart = braced ? start + 1 : start;
            int j = nameStart;
            while (j < path.length() && (Character.isLetterOrDigit(path.charAt(j)) && path.charAt(j) < 128
                    || path.charAt(j) == '_')) {
                j++;
            }
            if (j == nameStart || (braced && (j >= path.length() || path.charAt(j) != '}'))) {
                out.append(c);
                i++;
                continue;
            }
            String value = environment.apply(path.substring(nameStart, j));
            int end = braced ? j + 1 : j;
            out.append(value != null ? value : path.substring(i, end));
            i = end;
        }
        return out.toString();
    }

    private static boolean truthy(Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (value instanceof String s) {
            return !s.isEmpty();
        }
        if (value instanceof java.util.Collection<?> c) {
            return !c.isEmpty();
        }
        if (value instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------------

    private Folder folder(String type) {
        Folder folder = folders.get(mapLegacy(type));
        if (folder == null) {
            throw new IllegalArgumentException("unknown model folder type '" + type + "' (known: "
                    + folders.keySet() + ")");
        }
        return folder;
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty model name");
        }
        String relative = name.replace('\\', '/');
        if (relative.startsWith("/") || relative.indexOf('\0') >= 0 || (relative.length() > 1 && relative.charAt(1) == ':')) {
            throw new IllegalArgumentException("model name '" + name + "' must be relative to its folder");
        }
        for (String segment : relative.split("/")) {
            if (segment.equals("..")) {
                throw new IllegalArgumentException("model name '" + name + "' must not contain '..'");
            }
        }
        return relative;
    }

    private static boolean fresh(Listing listing) {
        if (listing.racy) {
            return false;
        }
        for (Map.Entry<Path, FileTime> e : listing.directories.entrySet()) {
            try {
                FileTime now = Files.getLastModifiedTime(e.getKey());
                if (!now.equals(e.getValue())) {
                    return false;
                }
            } catch (IOException ex) {
                return false; // removed
            }
        }
        for (Path missing : listing.missing) {
            if (Files.isDirectory(missing)) {
                return false;
            }
        }
        return true;
    }

    private static Listing scan(Folder folder) {
        long scanStart = System.currentTimeMillis() * 1_000_000L;
        Set<String> names = new TreeSet<>(CODE_POINT_ORDER);
        Map<Path, FileTime> directories = new HashMap<>();
        Set<Path> missing = new LinkedHashSet<>();
        for (Path root : folder.paths) {
            if (!Files.isDirectory(root)) {
                missing.add(root);
                continue;
            }
            try {
                Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                        new SimpleFileVisitor<>() {
                            @Override
                            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                                if (!dir.equals(root) && dir.getFileName().toString().equals(".git")) {
                                    return FileVisitResult.SKIP_SUBTREE;
                                }
                                directories.put(dir, attrs.lastModifiedTime());
                                return FileVisitResult.CONTINUE;
                            }

                            @Override
                            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                                if (attrs.isDirectory()) {
                                    return FileVisitResult.CONTINUE; // a symlink loop, reported as a file
                                }
                                String relative = root.relativize(file).toString().replace(file.getFileSystem()
                                        .getSeparator(), "/");
                                if (matches(relative, folder.extensions)) {
                                    names.add(relative);
                                }
                                return FileVisitResult.CONTINUE;
                            }

                            @Override
                            public FileVisitResult visitFileFailed(Path file, IOException e) {
                                return FileVisitResult.CONTINUE; // unreadable entries and link loops are skipped
                            }
                        });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        boolean racy = false;
        for (FileTime t : directories.values()) {
            long nanos = t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
            if (nanos >= scanStart - RACY_NANOS) {
                racy = true;
                break;
            }
        }
        return new Listing(List.copyOf(folder.paths), List.copyOf(names), Map.copyOf(directories), Set.copyOf(missing),
                racy);
    }

    /** ComfyUI's {@code filter_files_extensions}: the extension as {@code os.path.splitext} sees it, lower-cased. */
    static boolean matches(String relativeName, Set<String> extensions) {
        if (extensions.isEmpty()) {
            return true;
        }
        return extensions.contains(extension(relativeName));
    }

    /** {@code os.path.splitext(name)[1].lower()}: the last dot of the last segment, ignoring leading dots. */
    static String extension(String name) {
        String last = name.substring(name.lastIndexOf('/') + 1);
        int firstNonDot = 0;
        while (firstNonDot < last.length() && last.charAt(firstNonDot) == '.') {
            firstNonDot++;
        }
        int dot = last.lastIndexOf('.');
        if (dot < firstNonDot) {
            return "";
        }
        return last.substring(dot).toLowerCase(Locale.ROOT);
    }

    /** Python's string order (by code point), which differs from {@link String#compareTo} above U+FFFF. */
    static final Comparator<String> CODE_POINT_ORDER =
            (a, b) -> java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
}
