package dev.easel.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.exec.CancellationToken;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.exec.EngineSettings;
import dev.easel.engine.exec.RunRequest;
import dev.easel.engine.exec.RunResult;
import dev.easel.engine.plugins.PackInfo;
import dev.easel.engine.plugins.PackState;
import dev.easel.engine.plugins.PluginHost;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.node.Folders;
import dev.easel.node.Node;
import dev.easel.node.NodeEnvironment;
import dev.easel.node.NodeInputs;
import dev.easel.node.RuntimeInfo;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's bundled packs: the folder the build assembles in {@code target/plugins} (the core pack's plugin
 * folder, {@code easel-core}) loads through PF4J like {@code ./easel} loads it, and its nodes run. Runs after
 * {@code package} (the surefire execution {@code bundled-plugins-test}), which is when the folder exists.
 */
class BundledPluginsTest {

    /** {@code Latent.PERSISTENT_TYPE} of the core pack (a literal: the test must not load the class-path copy). */
    private static final String LATENT_TYPE = "easel.latent";

    @TempDir
    Path data;

    private static Path bundled() {
        String configured = System.getProperty("easel.bundled.plugins");
        // Only the post-package execution sets it (the folder does not exist yet in the test phase, even with -Dtest).
        Assumptions.assumeTrue(configured != null, "runs after package (mvn verify)");
        Path dir = Path.of(configured);
        assertTrue(Files.isDirectory(dir.resolve("easel-core/lib")), dir + " has no easel-core plugin; run mvn package");
        return dir;
    }

    @Test
    void theCorePackLoadsFromTheAssembledPluginFolderAndItsNodesRun() throws Exception {
        NodeRegistry registry = new NodeRegistry(); // not the class path: only what PF4J loads
        try (PluginHost host = new PluginHost(registry, NodeEnvironment.defaults(), OutputCache.NONE,
                List.of(bundled(), data.resolve("plugins")), data.resolve("plugins"))) {
            List<PackInfo> packs = host.loadAll();
            System.out.printf("benchmark: loaded %d bundled node pack(s) in %.1f ms%n", packs.size(),
                    host.lastLoadNanos() / 1e6);
            PackInfo core = host.find("easel-core").orElseThrow(() -> new AssertionError(packs.toString()));
            assertEquals(PackState.STARTED, core.state(), core.toString());
            assertTrue(core.nodes().containsAll(List.of("StringConcatenate", "IntMath", "KSampler", "SaveImage")),
                    core.nodes().toString());

            Node concat = registry.find("StringConcatenate").orElseThrow().node();
            assertEquals("easel-core", registry.find("StringConcatenate").orElseThrow().packId());
            ClassLoader plugin = host.classLoader("easel-core").orElseThrow();
            assertSame(plugin, concat.getClass().getClassLoader(), "the plugin's class loader defines the node");
            Object out = concat.execute(NodeInputs.of(Map.of("string_a", "ab", "string_b", "cd", "delimiter", "-")),
                    null).values().get(0);
            assertEquals("ab-cd", out);

            // The host's SPI and runtime are shared (one class identity); the plugin's own libraries are its own.
            assertSame(Node.class, plugin.loadClass(Node.class.getName()));
            assertSame(dev.easel.runtime.CodePointOrder.class,
                    plugin.loadClass(dev.easel.runtime.CodePointOrder.class.getName()));
            assertSame(plugin, plugin.loadClass("org.apache.commons.statistics.distribution.BetaDistribution")
                    .getClassLoader(), "commons-statistics is bundled in the plugin's lib/");
            assertNotSame(getClass().getClassLoader(), plugin);

            // The disk tier rebuilds the pack's latents with its factory, found through the plugin's class loader.
            var factories = PackFactories.addFrom(registry, new dev.easel.caching.PersistableFactories());
            var latents = factories.forType(LATENT_TYPE).orElseThrow(() -> new AssertionError("no latent factory"));
            assertSame(plugin, latents.getClass().getClassLoader());
        }
    }

    /**
     * The JavaScript plugin ({@code easel-js}, GraalVM inside a PF4J class loader) reads the JavaScript packs of the
     * user's folder; its inline node and a pack's node run; reloading the plugin reloads the packs it reads, and the
     * old class loader (with the GraalVM engine it made) can be collected.
     */
    @Test
    void theJavaScriptPluginReadsJavaScriptPacksAndReloadsWithoutKeepingItsClassLoader() throws Exception {
        Path pack = Files.createDirectories(data.resolve("plugins/text-tools"));
        Path example = Path.of(System.getProperty("easel.repo.root", "../.."))
                .resolve("plugins/js-nodes/examples/text-tools");
        for (String file : List.of("easel-pack.json", "text.js", "numbers.js")) {
            Files.copy(example.resolve(file), pack.resolve(file));
        }
        NodeRegistry registry = new NodeRegistry();
        Engine engine = new Engine(registry, OutputCache.NONE, RuntimeInfo.fixed("cpu", false),
                Folders.of(data.resolve("output"), data.resolve("input"), data.resolve("temp")),
                EngineSettings.sequential());
        String workflow = """
                {"1": {"class_type": "RepeatText", "inputs": {"text": "ab", "times": 2, "separator": ", "}},
                 "2": {"class_type": "JavaScriptExpression", "inputs": {"script": "a + '!'", "a": ["1", 0]}},
                 "3": {"class_type": "PreviewAny", "inputs": {"source": ["2", 3]}}}""";
        try (PluginHost host = new PluginHost(registry, NodeEnvironment.defaults(), OutputCache.NONE,
                List.of(bundled(), data.resolve("plugins")), data.resolve("plugins"))) {
            host.loadAll();
            PackInfo js = host.find("easel-js").orElseThrow(() -> new AssertionError(host.list().toString()));
            assertEquals(PackState.STARTED, js.state(), js.toString());
            PackInfo tools = host.find("example-text-tools").orElseThrow(() -> new AssertionError(host.list()));
            assertEquals(PackState.STARTED, tools.state(), tools.toString());
            assertEquals("easel-js", tools.readBy());
            assertEquals("ab, ab!", shown(engine, workflow));

            WeakReference<ClassLoader> old = new WeakReference<>(host.classLoader("easel-js").orElseThrow());
            assertEquals(PackState.STARTED, host.reload("easel-js").state());
            assertEquals(PackState.STARTED, host.find("example-text-tools").orElseThrow().state());
            assertEquals("ab, ab!", shown(engine, workflow));
            assertNotSame(old.get(), host.classLoader("easel-js").orElseThrow());
            for (int i = 0; i < 50 && old.get() != null; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertNull(old.get(), "the old easel-js class loader is still reachable");
        }
    }

    private static String shown(Engine engine, String json) throws Exception {
        ValidationResult v = engine.validate(WorkflowParser.parse(json), ValidationOptions.STRICT);
        assertTrue(v.isValid(), () -> v.toJson().toString());
        RunResult r = engine.run(new RunRequest("p", v.workflow(), Map.of()), e -> { }, new CancellationToken());
        assertTrue(r.succeeded(), () -> String.valueOf(r.failure()));
        return (String) r.outputs().get("3").get("text").get(0);
    }
}
