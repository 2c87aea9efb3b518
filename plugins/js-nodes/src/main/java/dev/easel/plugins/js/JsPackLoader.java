package dev.easel.plugins.js;

import dev.easel.node.Node;
import dev.easel.node.NodeSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a node pack written in JavaScript: a folder with {@value JsPackManifest#FILE} and {@code .js} files whose
 * top level calls {@code defineNode({...})} (see {@link JsSchemaReader} for the shape). The files run in the
 * sandbox: once here to read the declarations, and again, from scratch, for every node call.
 *
 * <p>A pack loads whole or not at all: a bad manifest, a syntax error (file:line), a bad declaration (node, input) or
 * a node name declared twice fails it with a {@link JsPackException} that says where.
 */
public final class JsPackLoader {

    private static final long MAX_FILE_BYTES = 1 << 20;

    private final JsSandbox sandbox;

    /** A loader whose packs run in {@link JsSandbox#shared()}. */
    public JsPackLoader() {
        this(JsSandbox.shared());
    }

    public JsPackLoader(JsSandbox sandbox) {
        this.sandbox = sandbox;
    }

    /** Loads the pack in {@code folder}. */
    public JsPack load(Path folder) throws JsPackException {
        JsPackManifest manifest = JsPackManifest.read(folder, sandbox);
        String where = "JavaScript pack '" + manifest.id() + "'";
        Map<String, String> declaredIn = new LinkedHashMap<>();
        List<Node> nodes = new ArrayList<>();
        Path root = folder.toAbsolutePath().normalize();
        for (Path file : manifest.nodeFiles()) {
            String fileName = root.relativize(file).toString().replace('\\', '/');
            String fileAt = where + ", " + fileName;
            String source = read(file, fileAt);
            JsProgram program = new JsProgram(fileName, List.of("(function (defineNode) {" + source + "\n})"));
            List<Object> defs;
            try {
                defs = sandbox.describe(program);
            } catch (JsScriptException e) {
                throw new JsPackException(where + ": " + e.getMessage());
            }
            if (defs.isEmpty()) {
                throw new JsPackException(fileAt + ": the file defines no nodes (call defineNode({...}))");
            }
            String version = "js:" + manifest.version() + ":" + sha256(source).substring(0, 16);
            for (Object def : defs) {
                NodeSchema schema = JsSchemaReader.read((Map<?, ?>) def, fileAt, "js/" + manifest.id(), version);
                String earlier = declaredIn.putIfAbsent(schema.name(), fileName);
                if (earlier != null) {
                    throw new JsPackException(fileAt + ": node " + schema.name() + " is already defined"
                            + (earlier.equals(fileName) ? " earlier in this file" : " in " + earlier));
                }
                nodes.add(new JsPackNode(schema, program, sandbox));
            }
        }
        return new JsPack(manifest, folder, nodes);
    }

    private static String read(Path file, String at) throws JsPackException {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new JsPackException(at + ": the file is larger than " + MAX_FILE_BYTES + " bytes");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JsPackException(at + ": cannot read the file: " + e.getMessage());
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
