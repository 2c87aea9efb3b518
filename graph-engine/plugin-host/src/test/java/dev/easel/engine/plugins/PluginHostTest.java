package dev.easel.engine.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.event.RunEvent;
import dev.easel.engine.exec.RunResult;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginHostTest {

    @TempDir
    Path dir;

    private static PackBuilder alpha(String version, String prefix) {
        return PackBuilder.pack("alpha").version(version)
                .textNode("t.alpha", "Upper", "AlphaUpper", "\"" + prefix + "\" + text.toUpperCase()")
                .packClass("t.alpha", "new Upper()");
    }

    private Map<String, PackInfo> byId(List<PackInfo> packs) {
        return packs.stream().collect(Collectors.toMap(PackInfo::id, Function.identity()));
    }

    @Test
    void loadsPacksFromAFolderAndRunsTheirNodesNextToClassPathPacks() throws Exception {
        Path plugins = dir.resolve("plugins");
        alpha("1.0.0", "").jarInto(plugins);
        try (TestEngine t = new TestEngine(dir);
                PluginHost host = new PluginHost(t.registry, t.environment(), t.cache, List.of(plugins))) {
            PackInfo alpha = host.loadAll().get(0);
            assertEquals(PackState.STARTED, alpha.state(), alpha.toString());
            assertEquals(List.of("AlphaUpper"), alpha.nodes());
            assertEquals("1.0.0", alpha.version());
            assertEquals("alpha", t.registry.find("AlphaUpper").orElseThrow().packId());
            assertEquals("HI", t.shown("AlphaUpper", "hi"));
            assertTrue(host.lastLoadNanos() > 0);
        }
    }

    @Test
    void eachBrokenPackIsReportedPreciselyAndTheOthersKeepWorking() throws Exception {
        Path plugins = dir.resolve("plugins");
        alpha("1.0.0", "").jarInto(plugins);
        // a second pack claims alpha's node name and has one of its own
        PackBuilder.pack("beta")
                .textNode("t.beta", "Dup", "AlphaUpper", "\"beta\"")
                .textNode("t.beta", "Ok", "BetaOk", "\"ok:\" + text")
                .packClass("t.beta", "new Dup()", "new Ok()").jarInto(plugins);
        // nodes() throws during registration
        PackBuilder.pack("thrower").source("t.thrower.Pack", """
                package t.thrower;
                import dev.easel.node.*; import java.util.List;
                @org.pf4j.Extension public class Pack implements NodePack {
                  public String id() { return "thrower"; }
                  public List<Node> nodes() { throw new IllegalStateException("no nodes today"); }
                }
                """).jarInto(plugins);
        // a node that throws while it runs
        PackBuilder.pack("boom").textNode("t.boom", "Boom", "BoomNode",
                "((java.util.function.Supplier<String>) () -> { throw new IllegalArgumentException(\"bad \" + text); }).get()")
                .packClass("t.boom", "new Boom()").jarInto(plugins);
        // not a zip at all
        Files.write(plugins.resolve("broken.jar"), new byte[] {1, 2, 3, 4, 5});
        // a jar without a PF4J descriptor
        PackBuilder.writeJar(Files.createDirectories(dir.resolve("empty")), new java.util.jar.Manifest(),
                plugins.resolve("nodescriptor.jar"));
        // a pack for a later Easel
        PackBuilder.pack("future").requires(">=99.0.0").textNode("t.future", "F", "FutureNode", "text")
                .packClass("t.future", "new F()").jarInto(plugins);
        // a pack without @Extension
        PackBuilder.pack("plain").textNode("t.plain", "P", "PlainNode", "text").source("t.plain.Pack", """
                package t.plain;
                import dev.easel.node.*; import java.util.List;
                public class Pack implements NodePack {
                  public String id() { return "plain"; }
                  public List<Node> nodes() { return List.of(new P()); }
                }
                """).jarInto(plugins);

        try (TestEngine t = new TestEngine(dir);
                PluginHost host = new PluginHost(t.registry, t.environment(), t.cache, List.of(plugins))) {
            Map<String, PackInfo> packs = byId(host.loadAll());

            assertEquals(PackState.STARTED, packs.get("alpha").state());
            PackInfo beta = packs.get("beta");
            assertEquals(PackState.STARTED, beta.state());
            assertEquals(List.of("BetaOk"), beta.nodes());
            assertEquals(List.of("node 'AlphaUpper': the name is already owned by node pack 'alpha'"),
                    beta.problems());

            PackInfo thrower = packs.get("thrower");
            assertEquals(PackState.FAILED, thrower.state());
            assertTrue(thrower.reason().contains("failed while listing its nodes")
                    && thrower.reason().contains("no nodes today"), thrower.reason());

            PackInfo broken = packs.get("broken.jar");
            assertEquals(PackState.FAILED, broken.state());
            assertTrue(broken.reason().startsWith("cannot read its plugin descriptor"), broken.reason());

            PackInfo noDescriptor = packs.get("nodescriptor.jar");
            assertEquals(PackState.FAILED, noDescriptor.state());
            assertTrue(noDescriptor.reason().contains("plugin id"), noDescriptor.reason());

            PackInfo future = packs.get("future");
            assertEquals(PackState.FAILED, future.state());
            assertEquals("requires Easel >=99.0.0, this is " + PluginHost.SYSTEM_VERSION, future.reason());
            assertFalse(t.registry.find("FutureNode").isPresent());

            PackInfo plain = packs.get("plain");
            assertEquals(PackState.FAILED, plain.state());
            assertTrue(plain.reason().contains("@org.pf4j.Extension"), plain.reason());

            // a node that throws fails its run, naming node type and pack; the others keep running
            RunResult failed = t.runText("BoomNode", "x");
            assertFalse(failed.succeeded());
            RunEvent.ExecutionError error = (RunEvent.ExecutionError) failed.failure();
            assertEquals("BoomNode", error.nodeType());
            assertEquals("bad x [pack boom]", error.exceptionMessage());
            assertEquals(IllegalArgumentException.class.getName(), error.exceptionType());

            assertEquals("HI", t.shown("AlphaUpper", "hi"));
            assertEquals("ok:x", t.shown("BetaOk", "x"));
            // failed packs keep no class loader
            assertTrue(host.classLoader("thrower").isEmpty());
            assertTrue(host.classLoader("future").isEmpty());
        }
    }

    @Test
    void reloadingAChangedPackReplacesItsNodesAndLetsTheOldClassLoaderGo() throws Exception {
        Path plugins = dir.resolve("plugins");
        Path jar = alpha("1.0.0", "v1:").jarInto(plugins);
        try (TestEngine t = new TestEngine(dir);
                PluginHost host = new PluginHost(t.registry, t.environment(), t.cache, List.of(plugins))) {
            host.loadAll();
            assertEquals("v1:HI", t.shown("AlphaUpper", "hi"));
            // the Show node's cached result holds a string; make one hold an instance of a pack class too
            assertFalse(t.cache.entries.isEmpty());
            WeakReference<ClassLoader> old = new WeakReference<>(host.classLoader("alpha").orElseThrow());

            Path rebuilt = alpha("2.0.0", "v2:").jarInto(dir.resolve("build"));
            Files.move(rebuilt, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            PackInfo reloaded = host.reload("alpha");

            assertEquals(PackState.STARTED, reloaded.state());
            assertEquals("2.0.0", reloaded.version());
            assertTrue(t.cache.entries.values().stream().noneMatch(e -> e.getKey().equals("AlphaUpper")),
                    "the pack's cached results are dropped");
            assertEquals("v2:HI", t.shown("AlphaUpper", "hi"));
            assertNotSame(old.get(), host.classLoader("alpha").orElseThrow());
            assertCollected(old);
        }
    }

    @Test
    void cachedValuesOfAPackClassAreDroppedSoItsClassLoaderCanGo() throws Exception {
        Path plugins = dir.resolve("plugins");
        PackBuilder.pack("boxes")
                .source("t.boxes.Box", "package t.boxes; public record Box(String text) {}")
                .source("t.boxes.MakeBox", """
                        package t.boxes;
                        import dev.easel.node.*;
                        public class MakeBox implements Node {
                          public NodeSchema schema() { return NodeSchema.builder("MakeBox")
                              .required(InputSpec.string("text")).output("BOX").build(); }
                          public NodeOutput execute(NodeInputs in, NodeContext c) { return NodeOutput.of(new Box(in.getString("text"))); }
                        }
                        """)
                .packClass("t.boxes", "new MakeBox()").jarInto(plugins);
        try (TestEngine t = new TestEngine(dir);
                PluginHost host = new PluginHost(t.registry, t.environment(), t.cache, List.of(plugins))) {
            host.loadAll();
            assertEquals("Box[text=b]", t.shown("MakeBox", "b"));
            // Show (a class-path node) passed the Box through: its cached result holds a pack instance
            assertTrue(t.cache.entries.values().stream().anyMatch(e -> e.getKey().equals("Show")));
            WeakReference<ClassLoader> old = new WeakReference<>(host.classLoader("boxes").orElseThrow());
            host.disable("boxes");
            assertTrue(t.cache.entries.isEmpty(), "both MakeBox's and Show's results held a Box");
            assertFalse(t.registry.find("MakeBox").isPresent());
            assertCollected(old);
        }
    }

    /** As the distribution loads them: bundled packs first (their node names win), the status in the user's folder. */
    @Test
    void theFirstRootWinsNodeNamesAndTheStatusFolderKeepsDisabledTxt() throws Exception {
        Path bundled = dir.resolve("bundled");
        Path user = dir.resolve("user");
        alpha("1.0.0", "bundled:").jarInto(bundled);
        PackBuilder.pack("beta").textNode("t.beta", "Upper", "AlphaUpper", "\"user:\" + text")
                .packClass("t.beta", "new Upper()").jarInto(user);
        try (TestEngine t = new TestEngine(dir);
                PluginHost host = new PluginHost(t.registry, t.environment(), t.cache, List.of(bundled, user),
                        user)) {
            Map<String, PackInfo> packs = byId(host.loadAll());
            assertEquals("bundled:HI", t.shown("AlphaUpper", "hi"));
            assertEquals(PackState.FAILED, packs.get("beta").state(), packs.toString());
            host.disable("alpha");
        }
        assertTrue(Files.readString(user.resolve("disabled.txt")).contains("alpha"));
        assertFalse(Files.exists(bundled.resolve("disabled.txt")), "the bundled folder is not written to");
        try (TestEngine t = new TestEngine(dir);
                PluginHost host = new PluginHost(t.registry, t.environment(), t.cache, List.of(bundled, user),
                        user)) {
            Map<String, PackInfo> packs = byId(host.loadAll());
            assertEquals(PackState.DISABLED, packs.get("alpha").state());
            assertEquals("user:hi", t.shown("AlphaUpper", "hi"));
        }
    }

    @Test
    void disablingIsRememberedAcrossRestartsAndEnablingLoadsThePackAgain() throws Exception {
        Path plugins = dir.resolve("plugins");
        alpha("1.0.0", "").jarInto(plugins);
        try (TestEngine t = new TestEngine(dir);
                PluginHost host = new PluginHost(t.registry, t.environment(), t.cache, List.of(plugins))) {
            host.loadAll();
            PackInfo disabled = host.disable("alpha");
            assertEquals(PackState.DISABLED, disabled.state());
            assertFalse(t.registry.find("AlphaUpper").isPresent());
            assertThrows(IllegalStateException.class, () -> host.reload("alpha"));
            assertThrows(NoSuchElementException.class, () -> host.disable("nope"));
        }
        assertTrue(Files.readString(plugins.resolve("disabled.txt")).contains("alpha"));
        try (TestEngine t = new TestEngine(dir);
                PluginHost host = new PluginHost(t.registry, t.environment(), t.cache, List.of(plugins))) {
            assertEquals(PackState.DISABLED, host.loadAll().get(0).state());
            assertTrue(host.classLoader("alpha").isEmpty());
            assertFalse(t.registry.find("AlphaUpper").isPresent());
            assertEquals(PackState.STARTED, host.enable("alpha").state());
            assertEquals("HI", t.shown("AlphaUpper", "hi"));
        }
        try (TestEngine t = new TestEngine(dir);
                PluginHost host = new PluginHost(t.registry, t.environment(), t.cache, List.of(plugins))) {
            assertEquals(PackState.STARTED, host.loadAll().get(0).state());
        }
    }

    @Test
    void aDevelopmentPackIsReloadedWhenItsBuildOutputChanges() throws Exception {
        Path module = dir.resolve("my-pack");
        alpha("1.0.0-dev", "v1:").moduleInto(module);
        try (TestEngine t = new TestEngine(dir);
                PluginHost host = new PluginHost(t.registry, t.environment(), t.cache, List.of(dir.resolve("p")))) {
            PackInfo pack = host.loadDevelopmentPack(module);
            assertEquals(PackState.STARTED, pack.state(), pack.toString());
            assertTrue(pack.development());
            assertEquals("v1:HI", t.shown("AlphaUpper", "hi"));
            ClassLoader first = host.classLoader("alpha").orElseThrow();
            try (DevPackWatcher watcher = new DevPackWatcher(module, Duration.ofMillis(200),
                    () -> host.reload("alpha")).start()) {
                Thread.sleep(50); // the rebuild must get later modification times than the first build
                alpha("1.0.0-dev", "v2:").moduleInto(module);
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (host.classLoader("alpha").orElse(first) == first && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
            }
            assertEquals("v2:HI", t.shown("AlphaUpper", "hi"));
        }
        assertThrows(IllegalArgumentException.class, () -> {
            try (TestEngine t = new TestEngine(dir);
                    PluginHost host = new PluginHost(t.registry, t.environment(), t.cache, List.of(dir))) {
                host.loadDevelopmentPack(dir.resolve("missing"));
            }
        });
    }

    /**
     * A plugin that reads folder packs: {@code words.txt} holds the pack id, then one node name per line; each node
     * prefixes its text with its name. A manifest without an id is an error.
     */
    private static PackBuilder wordsPlugin() {
        return PackBuilder.pack("words")
                .source("t.words.WordNode", """
                        package t.words;
                        import dev.easel.node.*;
                        public record WordNode(String name) implements Node {
                          public NodeSchema schema() { return NodeSchema.builder(name)
                              .required(InputSpec.string("text")).output(InputSpec.STRING).build(); }
                          public NodeOutput execute(NodeInputs in, NodeContext c) {
                            return NodeOutput.of(name + " " + in.getString("text")); }
                        }
                        """)
                .source("t.words.Loader", """
                        package t.words;
                        import dev.easel.node.*; import java.nio.file.*; import java.util.*;
                        @org.pf4j.Extension public class Loader implements FolderPackLoader {
                          public String manifestFile() { return "words.txt"; }
                          public String packId(Path folder) throws Exception {
                            List<String> lines = Files.readAllLines(folder.resolve("words.txt"));
                            if (lines.isEmpty() || lines.get(0).isBlank()) throw new Exception("words.txt has no pack id");
                            return lines.get(0); }
                          public NodePack load(Path folder) throws Exception {
                            String id = packId(folder);
                            List<Node> nodes = new ArrayList<>();
                            for (String line : Files.readAllLines(folder.resolve("words.txt")).subList(1, Files.readAllLines(folder.resolve("words.txt")).size()))
                              nodes.add(new WordNode(line));
                            return new NodePack() { public String id() { return id; } public List<Node> nodes() { return nodes; } };
                          }
                        }
                        """);
    }

    @Test
    void folderPacksAreReadByAPluginAndFollowItsLifecycle() throws Exception {
        Path plugins = dir.resolve("plugins");
        wordsPlugin().jarInto(plugins);
        Path greet = Files.createDirectories(plugins.resolve("greet"));
        Files.writeString(greet.resolve("words.txt"), "greet\nHello\nBye\n");
        Files.writeString(Files.createDirectories(plugins.resolve("nameless")).resolve("words.txt"), "\n");
        Files.writeString(Files.createDirectories(plugins.resolve("stray")).resolve("notes.md"), "hi");
        try (TestEngine t = new TestEngine(dir);
                PluginHost host = new PluginHost(t.registry, t.environment(), t.cache, List.of(plugins))) {
            Map<String, PackInfo> packs = byId(host.loadAll());
            assertEquals(PackState.STARTED, packs.get("words").state(), packs.toString());
            PackInfo pack = packs.get("greet");
            assertEquals(PackState.STARTED, pack.state(), pack.toString());
            assertEquals("words", pack.readBy());
            assertEquals(List.of("Hello", "Bye"), pack.nodes());
            assertEquals("Hello x", t.shown("Hello", "x"));
            assertEquals(PackState.FAILED, packs.get("nameless").state());
            assertEquals("cannot read its words.txt: words.txt has no pack id", packs.get("nameless").reason());
            assertTrue(packs.get("stray").reason().contains("neither a plugin") && packs.get("stray").reason()
                    .contains("no words.txt"), packs.get("stray").reason());

            Files.writeString(greet.resolve("words.txt"), "greet\nHowdy\n");
            assertEquals(List.of("Howdy"), host.reload("greet").nodes());
            assertFalse(t.registry.find("Hello").isPresent());
            assertEquals("Howdy x", t.shown("Howdy", "x"));

            assertEquals(PackState.DISABLED, host.disable("greet").state());
            assertFalse(t.registry.find("Howdy").isPresent());
            assertEquals(PackState.STARTED, host.enable("greet").state());

            WeakReference<ClassLoader> old = new WeakReference<>(host.classLoader("words").orElseThrow());
            host.disable("words");
            PackInfo stopped = host.find("greet").orElseThrow();
            assertEquals(PackState.FAILED, stopped.state());
            assertTrue(stopped.reason().contains("'words'"), stopped.reason());
            assertFalse(t.registry.find("Howdy").isPresent());
            assertTrue(t.cache.entries.values().stream().noneMatch(e -> e.getKey().equals("Howdy")));
            assertCollected(old);

            host.enable("words");
            assertEquals(PackState.STARTED, host.find("greet").orElseThrow().state());
            assertEquals("Howdy y", t.shown("Howdy", "y"));
            assertEquals(1, host.list().stream().filter(p -> p.path().equals(greet)).count(), host.list().toString());
        }
    }

    static void assertCollected(WeakReference<?> ref) throws InterruptedException {
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(ref.get(), "the old class loader is still reachable");
    }

    @SuppressWarnings("unused")
    private static void ignore(IOException e) {
    }
}
