package dev.easel.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.plugins.PackInfo;
import dev.easel.engine.plugins.PackState;
import dev.easel.engine.plugins.PluginHost;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.node.NodeEnvironment;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The template pack (plugins/template-pack), built from source by the reactor, loaded as a plugin from a data
 * folder's plugins/ through the command line: listed, its nodes shown and run, disabled and enabled again; and
 * loaded from its module folder in development mode.
 */
class TemplatePackPluginTest {

    @TempDir
    Path dir;

    private static Path templateModule() {
        return Path.of(System.getProperty("easel.repo.root", "../..")).resolve("plugins/template-pack");
    }

    /** The template's jar from `mvn package`, or (after only `mvn test`) a jar of its compiled build output. */
    private Path templateJarIn(Path plugins) throws IOException {
        Files.createDirectories(plugins);
        Path target = templateModule().resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            var built = files.filter(f -> f.getFileName().toString().matches("easel-template-pack-[^-]+.*\\.jar")
                    && !f.getFileName().toString().endsWith("-sources.jar")
                    && !f.getFileName().toString().endsWith("-tests.jar")).findFirst();
            if (built.isPresent()) {
                return Files.copy(built.get(), plugins.resolve(built.get().getFileName()));
            }
        }
        Path classes = target.resolve("classes");
        Path jar = plugins.resolve("easel-template-pack.jar");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream zip = new JarOutputStream(out, new Manifest());
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                zip.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                zip.write(Files.readAllBytes(f));
                zip.closeEntry();
            }
        }
        return jar;
    }

    private CliHarness.Result cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dir.resolve("data").toString();
        return new CliHarness().withoutTorch().execute(all);
    }

    @Test
    void theTemplateJarLoadsFromTheDataFolderAndItsNodesRun() throws IOException {
        templateJarIn(dir.resolve("data/plugins"));

        CliHarness.Result list = cli("plugins", "list");
        assertEquals(ExitCodes.SUCCESS, list.exitCode(), list.toString());
        assertTrue(list.out().contains("easel-template-pack 0.1.0-SNAPSHOT started (2 nodes): TemplateGreeting, "
                + "TemplateMultiplyAdd"), list.toString());

        CliHarness.Result nodes = cli("nodes", "TemplateGreeting");
        assertEquals(ExitCodes.SUCCESS, nodes.exitCode(), nodes.toString());
        assertTrue(nodes.out().contains("TemplateGreeting") && nodes.out().contains("[template]"), nodes.toString());
        assertTrue(nodes.err().contains("loaded 1 of 1 node packs"), nodes.toString());

        Path wf = Files.writeString(dir.resolve("greet.json"), """
                {"1": {"class_type": "TemplateGreeting", "inputs": {"name": "Ada", "greeting": "Hola"}},
                 "2": {"class_type": "LauncherTestEcho", "inputs": {"text": ["1", 0], "count": 2}}}""");
        CliHarness.Result run = cli("run", wf.toString());
        assertEquals(ExitCodes.SUCCESS, run.exitCode(), run.toString());
        assertTrue(run.out().contains("text: Hola, Ada!Hola, Ada!"), run.toString());

        Path bad = Files.writeString(dir.resolve("bad.json"), """
                {"1": {"class_type": "TemplateGreeting", "inputs": {"name": " ", "greeting": "Hola"}},
                 "2": {"class_type": "LauncherTestEcho", "inputs": {"text": ["1", 0], "count": 1}}}""");
        CliHarness.Result failed = cli("run", bad.toString());
        assertEquals(ExitCodes.EXECUTION, failed.exitCode(), failed.toString());
        assertTrue(failed.err().contains("name is empty [pack easel-template-pack]"), failed.toString());

        CliHarness.Result disable = cli("plugins", "disable", "easel-template-pack");
        assertEquals(ExitCodes.SUCCESS, disable.exitCode(), disable.toString());
        assertTrue(disable.out().contains("easel-template-pack 0.1.0-SNAPSHOT disabled"), disable.toString());
        CliHarness.Result gone = cli("nodes", "TemplateGreeting");
        assertEquals(ExitCodes.USAGE, gone.exitCode(), gone.toString());
        assertTrue(cli("plugins", "list").out().contains("disabled"));
        assertEquals(ExitCodes.SUCCESS, cli("plugins", "enable", "easel-template-pack").exitCode());
        assertEquals(ExitCodes.SUCCESS, cli("nodes", "TemplateGreeting").exitCode());

        CliHarness.Result unknown = cli("plugins", "reload", "nope");
        assertEquals(ExitCodes.USAGE, unknown.exitCode());
        assertTrue(unknown.err().contains("no node pack 'nope'"), unknown.toString());
    }

    /**
     * Benchmark "time to load all bundled packs at start": a fresh host loads the packs of plugins/ (today the
     * template) from a plugins folder, as {@code easel serve} does at start; prints the time.
     */
    @Test
    void loadTimeOfTheBundledPacks() throws IOException {
        Path plugins = dir.resolve("bundled");
        templateJarIn(plugins);
        try (PluginHost host = new PluginHost(new NodeRegistry(), NodeEnvironment.defaults(), OutputCache.NONE,
                List.of(plugins))) {
            List<PackInfo> packs = host.loadAll();
            assertTrue(packs.stream().allMatch(p -> p.state() == PackState.STARTED), packs.toString());
            System.out.printf("benchmark: loaded %d bundled node pack(s) in %.1f ms%n", packs.size(),
                    host.lastLoadNanos() / 1e6);
        }
    }

    @Test
    void theTemplateModuleLoadsInDevelopmentModeFromItsBuildOutput() {
        NodeRegistry registry = new NodeRegistry();
        try (PluginHost host = new PluginHost(registry, NodeEnvironment.defaults(), OutputCache.NONE,
                List.of(dir.resolve("plugins")))) {
            PackInfo pack = host.loadDevelopmentPack(templateModule());
            assertEquals(PackState.STARTED, pack.state(), pack.toString());
            assertTrue(pack.development());
            assertEquals(List.of("TemplateGreeting", "TemplateMultiplyAdd"), pack.nodes());
            assertEquals("easel-template-pack", registry.find("TemplateMultiplyAdd").orElseThrow().packId());
            assertFalse(registry.find("TemplateMultiplyAdd").orElseThrow().node().getClass().getClassLoader()
                    == getClass().getClassLoader(), "the plugin's own class loader defines its classes");
        }
    }
}
