package dev.easel.engine.plugins;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Builds node packs for tests from Java source text: compiles them against the test class path (node-api, pf4j; PF4J's
 * annotation processor writes {@code META-INF/extensions.idx}) and writes a plugin jar with a PF4J manifest, or a
 * module folder whose {@code target/classes} holds the classes and a {@code plugin.properties} (development mode).
 */
public final class PackBuilder {

    private final String id;
    private String version = "1.0.0";
    private String requires = "*";
    private final Map<String, String> sources = new LinkedHashMap<>();

    private PackBuilder(String id) {
        this.id = id;
    }

    /** A pack with plugin id {@code id}. */
    public static PackBuilder pack(String id) {
        return new PackBuilder(id);
    }

    public PackBuilder version(String version) {
        this.version = version;
        return this;
    }

    public PackBuilder requires(String requires) {
        this.requires = requires;
        return this;
    }

    /** Adds a class; {@code qualifiedName} like {@code "t.alpha.Pack"}. */
    public PackBuilder source(String qualifiedName, String text) {
        sources.put(qualifiedName, text);
        return this;
    }

    /**
     * Source of a pack class {@code <pkg>.Pack} ({@code @Extension}, id = the plugin id) whose nodes are given as Java
     * expressions of type {@code Node}.
     */
    public PackBuilder packClass(String pkg, String... nodeExpressions) {
        return source(pkg + ".Pack", "package " + pkg + ";\n"
                + "import dev.easel.node.*; import java.util.List;\n"
                + "@org.pf4j.Extension public class Pack implements NodePack {\n"
                + "  public String id() { return \"" + id + "\"; }\n"
                + "  public List<Node> nodes() { return List.of(" + String.join(", ", nodeExpressions) + "); }\n"
                + "}\n");
    }

    /**
     * Source of a node class {@code <pkg>.<cls>} named {@code nodeName} with one STRING input {@code text} and one
     * STRING output computed by the Java expression {@code body} (over {@code String text}).
     */
    public PackBuilder textNode(String pkg, String cls, String nodeName, String body) {
        return source(pkg + "." + cls, "package " + pkg + ";\n"
                + "import dev.easel.node.*;\n"
                + "public class " + cls + " implements Node {\n"
                + "  public NodeSchema schema() { return NodeSchema.builder(\"" + nodeName + "\").category(\"test\")"
                + ".required(InputSpec.string(\"text\").defaultValue(\"a\")).output(InputSpec.STRING).build(); }\n"
                + "  public NodeOutput execute(NodeInputs inputs, NodeContext context) throws Exception {\n"
                + "    String text = inputs.getString(\"text\");\n"
                + "    return NodeOutput.of(" + body + ");\n"
                + "  }\n"
                + "}\n");
    }

    /** Compiles into {@code classes} (created). */
    public Path compileInto(Path classes) throws IOException {
        Files.createDirectories(classes);
        Path src = Files.createTempDirectory("pack-src");
        List<Path> files = new ArrayList<>();
        for (var e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            files.add(file);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", classes.toString(), "-classpath",
                    System.getProperty("java.class.path"), "--release", "17");
            boolean ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files))
                    .call();
            if (!ok) {
                throw new IllegalStateException("pack " + id + " does not compile: " + diagnostics.getDiagnostics());
            }
        }
        return classes;
    }

    /** Writes {@code <dir>/<id>-<version>.jar} with the PF4J manifest entries. */
    public Path jarInto(Path dir) throws IOException {
        Path classes = compileInto(Files.createTempDirectory("pack-classes"));
        Manifest manifest = new Manifest();
        Attributes a = manifest.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Plugin-Id", id);
        a.putValue("Plugin-Version", version);
        a.putValue("Plugin-Provider", "tests");
        a.putValue("Plugin-Requires", requires);
        a.putValue("Plugin-Description", "test pack " + id);
        Files.createDirectories(dir);
        Path jar = dir.resolve(id + "-" + version + ".jar");
        writeJar(classes, manifest, jar);
        return jar;
    }

    /**
     * Writes (or rewrites) a development module {@code <module>/target/classes} with {@code plugin.properties}, as
     * the template's build does.
     */
    public Path moduleInto(Path module) throws IOException {
        Path classes = compileInto(module.resolve("target/classes"));
        Files.writeString(classes.resolve("plugin.properties"), "plugin.id=" + id + "\nplugin.version=" + version
                + "\nplugin.provider=tests\nplugin.requires=" + requires + "\nplugin.description=dev pack\n");
        return module;
    }

    /** Jars the folder {@code classes} with {@code manifest} into {@code jar}. */
    public static void writeJar(Path classes, Manifest manifest, Path jar) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream zip = new JarOutputStream(out, manifest);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = classes.relativize(f).toString().replace('\\', '/');
                if (name.equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                zip.putNextEntry(new JarEntry(name));
                zip.write(Files.readAllBytes(f));
                zip.closeEntry();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
