package dev.easel.plugins.js;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A JavaScript pack's {@value #FILE}: {@code {"id", "version", "description", "nodes": ["a.js", ...]}}. Without
 * {@code nodes}, every {@code *.js} file of the folder is loaded, in name order.
 *
 * @param id          the pack id, made of letters, digits, {@code . _ -}
 * @param version     the pack version (part of every node's cache version)
 * @param description a line for listings
 * @param nodeFiles   the node files, inside the pack folder
 */
public record JsPackManifest(String id, String version, String description, List<Path> nodeFiles) {

    /** The manifest's file name. */
    public static final String FILE = "easel-pack.json";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final long MAX_MANIFEST_BYTES = 64 * 1024;
    private static final JsProgram PARSE_JSON =
            new JsProgram(FILE, List.of("(function (text) { return JSON.parse(text) })"));

    /** Reads and checks the manifest of the pack in {@code folder}. */
    static JsPackManifest read(Path folder, JsSandbox sandbox) throws JsPackException {
        String where = "JavaScript pack " + folder.getFileName();
        Path file = folder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new JsPackException(where + ": " + FILE + " is missing");
        }
        Object json;
        try {
            if (Files.size(file) > MAX_MANIFEST_BYTES) {
                throw new JsPackException(where + ": " + FILE + " is larger than " + MAX_MANIFEST_BYTES + " bytes");
            }
            json = sandbox.call(PARSE_JSON, List.of(Files.readString(file)), false, () -> false).value();
        } catch (IOException e) {
            throw new JsPackException(where + ": cannot read " + FILE + ": " + e.getMessage());
        } catch (JsScriptException e) {
            String message = e.getMessage();
            int at = message.indexOf("SyntaxError: ");
            throw new JsPackException(where + ": " + FILE + " is not valid JSON: "
                    + (at >= 0 ? message.substring(at + "SyntaxError: ".length()) : message));
        }
        if (!(json instanceof Map<?, ?> map)) {
            throw new JsPackException(where + ": " + FILE + " must hold a JSON object");
        }
        String id = text(map, "id", null, where);
        if (id == null || !ID.matcher(id).matches()) {
            throw new JsPackException(where + ": " + FILE + " needs an \"id\" of letters, digits, '.', '_' or '-' "
                    + "(got " + JsTypes.describe(id) + ")");
        }
        where = "JavaScript pack '" + id + "' (" + folder.getFileName() + ")";
        String version = text(map, "version", "0", where);
        String description = text(map, "description", "", where);
        return new JsPackManifest(id, version, description, nodeFiles(folder, map.get("nodes"), where));
    }

    private static String text(Map<?, ?> map, String key, String fallback, String where) throws JsPackException {
        Object v = map.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String s)) {
            throw new JsPackException(where + ": \"" + key + "\" in " + FILE + " must be text, got "
                    + JsTypes.describe(v));
        }
        return s;
    }

    private static List<Path> nodeFiles(Path folder, Object listed, String where) throws JsPackException {
        Path root = folder.toAbsolutePath().normalize();
        List<Path> files = new ArrayList<>();
        if (listed == null) {
            try (Stream<Path> entries = Files.list(root)) {
                entries.filter(p -> p.getFileName().toString().endsWith(".js") && Files.isRegularFile(p))
                        .sorted().forEach(files::add);
            } catch (IOException e) {
                throw new JsPackException(where + ": cannot list the folder: " + e.getMessage());
            }
        } else if (listed instanceof List<?> names) {
            for (Object name : names) {
                if (!(name instanceof String s) || !s.endsWith(".js")) {
                    throw new JsPackException(where + ": \"nodes\" in " + FILE + " must list .js files, got "
                            + JsTypes.describe(name));
                }
                Path file = root.resolve(s).normalize();
                if (!file.startsWith(root) || Path.of(s).isAbsolute()) {
                    throw new JsPackException(where + ": node file " + s + " is outside the pack folder");
                }
                if (!Files.isRegularFile(file)) {
                    throw new JsPackException(where + ": node file " + s + " does not exist");
                }
                files.add(file);
            }
        } else {
            throw new JsPackException(where + ": \"nodes\" in " + FILE + " must be a list of .js files");
        }
        if (files.isEmpty()) {
            throw new JsPackException(where + ": the pack has no .js node files");
        }
        return List.copyOf(files);
    }
}
