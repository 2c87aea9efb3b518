package dev.easel.plugins.js;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodePack;
import dev.easel.node.NodeSchema;
import dev.easel.node.testing.TestNodeContext;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading JavaScript packs (the example pack and broken ones the tests write) and running their nodes. */
class JsPackLoaderTest {

    private static final Path EXAMPLE = Path.of("examples", "text-tools");
    private static JsSandbox sandbox;
    private static JsPackLoader loader;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        sandbox = new JsSandbox(JsLimits.defaults().withStatements(2_000_000));
        loader = new JsPackLoader(sandbox);
    }

    @AfterAll
    static void close() {
        sandbox.close();
    }

    private static Node node(JsPack pack, String name) {
        return pack.nodes().stream().filter(n -> n.schema().name().equals(name)).findFirst().orElseThrow();
    }

    private static List<Object> run(Node node, Map<String, ?> inputs) throws Exception {
        return node.execute(NodeInputs.of(inputs), new TestNodeContext()).values();
    }

    @Test
    void examplePackDeclaresSchemasLikeJavaNodes() throws Exception {
        JsPack pack = loader.load(EXAMPLE);
        assertEquals("example-text-tools", pack.id());
        assertEquals(List.of("RepeatText", "PromptTemplate", "SeedForIndex", "FitSize"),
                pack.nodes().stream().map(n -> n.schema().name()).toList());
        NodeSchema repeat = node(pack, "RepeatText").schema();
        assertEquals("Repeat Text", repeat.displayName());
        assertEquals("text", repeat.category());
        InputSpec times = repeat.input("times").orElseThrow();
        assertEquals(InputSpec.INT, times.type());
        assertEquals(2L, times.defaultValue());
        assertEquals(1L, times.min());
        assertEquals(100L, times.max());
        assertEquals("How many copies.", times.options().get("tooltip"));
        assertEquals(Boolean.TRUE, repeat.input("text").orElseThrow().options().get("multiline"));
        InputSpec separator = repeat.input("separator").orElseThrow();
        assertTrue(separator.isCombo());
        assertEquals(List.of("", " ", ", ", "\n"), separator.comboOptions());
        assertTrue(repeat.optionalInputs().contains(separator));
        assertEquals(List.of("text", "length"), repeat.outputs().stream().map(o -> o.name()).toList());
        InputSpec seed = node(pack, "SeedForIndex").schema().input("seed").orElseThrow();
        assertTrue(seed.isUnsigned());
        assertEquals(InputSpec.UINT64_MAX, seed.max());
        assertTrue(repeat.version().startsWith("js:1.0.0:"), repeat.version());
    }

    @Test
    void exampleNodesRunAndTheirResultsAreTyped() throws Exception {
        JsPack pack = loader.load(EXAMPLE);
        assertEquals(List.of("ab, ab, ab", 10L),
                run(node(pack, "RepeatText"), Map.of("text", "ab", "times", 3L, "separator", ", ")));
        assertEquals(List.of("photo of a cat, {style}"), run(node(pack, "PromptTemplate"),
                Map.of("template", "photo of {subject}, {style}", "values", Map.of("subject", "a cat"))));
        assertEquals(List.of(1024L, 768L, 0.5), run(node(pack, "FitSize"),
                Map.of("width", 2048L, "height", 1536L, "megapixels", 0.75, "multiple", 64L)));
        // splitmix64 of the largest seed: computed with BigInts in the script, back as unsigned 64-bit bits.
        long maxSeed = -1L;
        List<Object> mixed = run(node(pack, "SeedForIndex"), Map.of("seed", maxSeed, "index", 1L));
        assertEquals(splitmix(InputSpec.UINT64_MAX, 1), mixed.get(0));
        assertNotEquals(mixed, run(node(pack, "SeedForIndex"), Map.of("seed", maxSeed, "index", 2L)));
    }

    private static long splitmix(BigInteger seed, long index) {
        long z = seed.longValue() + index * 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private Path pack(String name, String manifest, Map<String, String> files) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(name));
        if (manifest != null) {
            Files.writeString(folder.resolve("easel-pack.json"), manifest);
        }
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(folder.resolve(f.getKey()), f.getValue());
        }
        return folder;
    }

    private String loadError(Path folder) {
        return assertThrows(JsPackException.class, () -> loader.load(folder)).getMessage();
    }

    private static final String OK_NODE = "defineNode({ name: 'Echo', inputs: { required: { x: ['STRING'] } }, "
            + "outputs: ['STRING'], execute: ({ x }) => x })\n";

    @Test
    void badManifestsSayWhatIsWrong() throws Exception {
        assertEquals("JavaScript pack p1: easel-pack.json is missing", loadError(pack("p1", null, Map.of())));
        String notJson = loadError(pack("p2", "{\"id\": ", Map.of("a.js", OK_NODE)));
        assertTrue(notJson.startsWith("JavaScript pack p2: easel-pack.json is not valid JSON"), notJson);
        String noId = loadError(pack("p3", "{\"version\": \"1\"}", Map.of("a.js", OK_NODE)));
        assertTrue(noId.contains("needs an \"id\""), noId);
        String escape = loadError(pack("p4", "{\"id\": \"p4\", \"nodes\": [\"../x.js\"]}", Map.of()));
        assertEquals("JavaScript pack 'p4' (p4): node file ../x.js is outside the pack folder", escape);
        String missing = loadError(pack("p5", "{\"id\": \"p5\", \"nodes\": [\"gone.js\"]}", Map.of()));
        assertEquals("JavaScript pack 'p5' (p5): node file gone.js does not exist", missing);
    }

    @Test
    void syntaxErrorsNameFileAndLine() throws Exception {
        String e = loadError(pack("s", "{\"id\": \"s\"}",
                Map.of("bad.js", "// a comment\ndefineNode({ name: 'X',\n  outputs: [ });\n")));
        assertTrue(e.startsWith("JavaScript pack 's': bad.js:3: SyntaxError"), e);
    }

    @Test
    void badSchemasNameTheNodeAndInput() throws Exception {
        String type = loadError(pack("t1", "{\"id\": \"t1\"}", Map.of("a.js",
                "defineNode({ name: 'Blur', inputs: { required: { image: ['IMAGE'] } }, execute: () => 1 })")));
        assertTrue(type.startsWith("JavaScript pack 't1', a.js, node Blur, input image: type IMAGE cannot reach "
                + "JavaScript"), type);
        String dflt = loadError(pack("t2", "{\"id\": \"t2\"}", Map.of("a.js",
                "defineNode({ name: 'N', inputs: { required: { n: ['INT', { default: 1.5 }] } }, execute: () => 1 })")));
        assertTrue(dflt.contains("node N, input n: option 'default' must be an INT"), dflt);
        String noExecute = loadError(pack("t3", "{\"id\": \"t3\"}", Map.of("a.js", "defineNode({ name: 'N' })")));
        assertEquals("JavaScript pack 't3', a.js, node N: \"execute\" must be a function", noExecute);
        String typo = loadError(pack("t4", "{\"id\": \"t4\"}", Map.of("a.js",
                "defineNode({ name: 'N', ouputs: [], execute: () => 1 })")));
        assertTrue(typo.contains("node N: unknown key \"ouputs\""), typo);
        String lazy = loadError(pack("t5", "{\"id\": \"t5\"}", Map.of("a.js",
                "defineNode({ name: 'N', inputs: { optional: { x: ['INT', { lazy: true }] } }, execute: () => 1 })")));
        assertTrue(lazy.contains("node N, input x: option 'lazy' is not supported"), lazy);
        String none = loadError(pack("t6", "{\"id\": \"t6\"}", Map.of("a.js", "// nothing\n")));
        assertTrue(none.contains("a.js: the file defines no nodes"), none);
    }

    @Test
    void duplicateNodeNamesAreRejected() throws Exception {
        String e = loadError(pack("d", "{\"id\": \"d\"}", Map.of("a.js", OK_NODE, "b.js", OK_NODE)));
        assertEquals("JavaScript pack 'd', b.js: node Echo is already defined in a.js", e);
    }

    @Test
    void nodeResultsAreCheckedAgainstTheirOutputs() throws Exception {
        JsPack p = loader.load(pack("r", "{\"id\": \"r\"}", Map.of("a.js", """
                defineNode({ name: 'Int', outputs: [['INT', 'n']], inputs: { required: { v: ['*'] } },
                  execute: ({ v }) => ({ n: v }) })
                defineNode({ name: 'Two', outputs: ['INT', 'STRING'], execute: () => [1] })
                defineNode({ name: 'Throws', outputs: ['INT'], execute: () => { throw new RangeError('too big') } })
                defineNode({ name: 'Show', output_node: true, outputs: [], inputs: { required: { t: ['STRING'] } },
                  execute: ({ t }) => ({ ui: { text: [t] } }) })
                """)));
        assertEquals(List.of(5L), run(node(p, "Int"), Map.of("v", 5L)));
        IllegalArgumentException frac = assertThrows(IllegalArgumentException.class,
                () -> run(node(p, "Int"), Map.of("v", 2.5)));
        assertEquals("a.js, node Int: output 'n' must be an INT (an integral number up to 2^64-1), got a number 2.5",
                frac.getMessage());
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class,
                () -> run(node(p, "Int"), Map.of("v", "5")));
        assertTrue(text.getMessage().contains("got text \"5\""), text.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> run(node(p, "Two"), Map.of()));
        assertTrue(count.getMessage().contains("an array of 1 values for 2 outputs"), count.getMessage());
        JsScriptException thrown = assertThrows(JsScriptException.class, () -> run(node(p, "Throws"), Map.of()));
        assertEquals("a.js:4: RangeError: too big", thrown.getMessage());
        assertEquals(Map.of("text", List.of("hi")),
                node(p, "Show").execute(NodeInputs.of(Map.of("t", "hi")), new TestNodeContext()).ui());
    }

    @Test
    void packStateDoesNotSurviveFromOneCallToTheNext() throws Exception {
        JsPack p = loader.load(pack("state", "{\"id\": \"state\"}", Map.of("a.js", """
                let calls = 0;
                const cache = [];
                defineNode({ name: 'Count', outputs: ['INT'], execute: () => { calls++; cache.push(1); return calls * 100 + cache.length } })
                """)));
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(101L), run(node(p, "Count"), Map.of()));
        }
    }

    @Test
    void runawayPackNodesAreStopped() throws Exception {
        JsPack p = loader.load(pack("loop", "{\"id\": \"loop\"}", Map.of("a.js",
                "defineNode({ name: 'Spin', outputs: ['INT'], execute: () => { for (;;) {} } })")));
        JsScriptException e = assertThrows(JsScriptException.class, () -> run(node(p, "Spin"), Map.of()));
        assertEquals(JsScriptException.Kind.LIMIT, e.kind());
        assertTrue(e.getMessage().startsWith("a.js: stopped:"), e.getMessage());
    }

    /** What the plugin host calls: the id from the manifest alone, then the pack, or a failure that says where. */
    @Test
    void theFolderPackLoaderReadsIdsAndPacksAndReportsBadOnes() throws Exception {
        Path good = Files.createDirectories(dir.resolve("plugins/good"));
        Files.writeString(good.resolve("easel-pack.json"), "{\"id\": \"good-pack\"}");
        Files.writeString(good.resolve("echo.js"), OK_NODE);
        Path bad = Files.createDirectories(dir.resolve("plugins/bad"));
        Files.writeString(bad.resolve("easel-pack.json"), "{\"id\": \"bad\"}");
        Files.writeString(bad.resolve("broken.js"), "defineNode({");
        Path nameless = Files.createDirectories(dir.resolve("plugins/nameless"));
        Files.writeString(nameless.resolve("easel-pack.json"), "{\"version\": \"1\"}");

        JsFolderPacks packs = new JsFolderPacks();
        assertEquals("easel-pack.json", packs.manifestFile());
        assertEquals("good-pack", packs.packId(good));
        NodePack loaded = packs.load(good);
        assertEquals("good-pack", loaded.id());
        assertEquals(List.of("hello"), run(loaded.nodes().get(0), new HashMap<>(Map.of("x", "hello"))));
        assertEquals("bad", packs.packId(bad), "the id is read without running the pack's files");
        JsPackException e = assertThrows(JsPackException.class, () -> packs.load(bad));
        assertTrue(e.getMessage().startsWith("JavaScript pack 'bad': broken.js:"), e.getMessage());
        e = assertThrows(JsPackException.class, () -> packs.packId(nameless));
        assertTrue(e.getMessage().contains("needs an \"id\""), e.getMessage());
    }
}
