package dev.easel.plugins.js;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.node.ExecutionBlocker;
import dev.easel.node.InputSpec;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodePack;
import dev.easel.node.NodeSchema;
import dev.easel.node.testing.TestNodeContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The inline node through its schema, on a real sandbox. */
class JavaScriptExpressionTest {

    private static JsSandbox sandbox;
    private static JavaScriptExpression node;

    @BeforeAll
    static void open() {
        sandbox = new JsSandbox(JsLimits.defaults());
        node = new JavaScriptExpression(sandbox);
    }

    @AfterAll
    static void close() {
        sandbox.close();
    }

    private static List<Object> run(String script, Object... abcd) throws Exception {
        Map<String, Object> in = new HashMap<>();
        in.put("script", script);
        for (int i = 0; i < abcd.length; i++) {
            in.put(String.valueOf((char) ('a' + i)), abcd[i]);
        }
        return node.execute(NodeInputs.of(in), new TestNodeContext()).values();
    }

    @Test
    void schemaDeclaresScriptAnyInputsAndTypedViews() {
        NodeSchema s = node.schema();
        assertEquals("JavaScriptExpression", s.name());
        assertEquals("JavaScript", s.displayName());
        assertEquals("utils/scripting", s.category());
        assertEquals(Boolean.TRUE, s.input("script").orElseThrow().options().get("multiline"));
        assertEquals(List.of("a", "b", "c", "d"), s.optionalInputs().stream().map(InputSpec::name).toList());
        assertTrue(s.optionalInputs().stream().allMatch(i -> i.type().equals(InputSpec.ANY)));
        assertEquals(List.of("*", "INT", "FLOAT", "STRING", "BOOLEAN"),
                s.outputs().stream().map(o -> o.type()).toList());
    }

    @Test
    void arithmeticGivesEveryView() throws Exception {
        assertEquals(List.of(43L, 43L, 43.0, "43", true), run("a * 2 + b", 21L, 1L));
        assertEquals(List.of(2.5, 2.5, "2.5", true), run("a / 2", 5L).subList(0, 5).stream()
                .filter(v -> !(v instanceof ExecutionBlocker)).toList());
        ExecutionBlocker notInt = assertInstanceOf(ExecutionBlocker.class, run("a / 2", 5L).get(1));
        assertTrue(notInt.message().contains("the result a number 2.5 is not an INT"), notInt.message());
    }

    @Test
    void templatingAndBodies() throws Exception {
        assertEquals("photo of a cat, 4k", run("`photo of ${a}, ${b}`", "a cat", "4k").get(0));
        assertEquals("wide", run("if (a > b) { return 'wide' }\nreturn 'tall'", 1024L, 768L).get(0));
        List<Object> out = run("({ width: a, height: b, tags: ['x', 'y'] })", 512L, 768L);
        assertEquals(Map.of("width", 512L, "height", 768L, "tags", List.of("x", "y")), out.get(0));
        assertEquals("{\"width\":512,\"height\":768,\"tags\":[\"x\",\"y\"]}", out.get(3));
        assertInstanceOf(ExecutionBlocker.class, out.get(1));
        assertEquals("42", run("'42'").get(0));
        assertEquals(42L, run("'42'").get(1));
        assertEquals(false, run("a === 'no'", "yes").get(4));
        assertEquals(false, run("''").get(4));
    }

    @Test
    void seedsRoundTripAt64Bits() throws Exception {
        long seed = -2L; // 2^64 - 2 as unsigned bits, the way seeds travel
        List<Object> out = run("a", seed);
        assertEquals(seed, out.get(1));
        assertEquals(Long.toString(seed), out.get(3));
        // An unsigned result above 2^63 - 1 comes back as the same unsigned bits on the INT output.
        assertEquals(-1L, run("2n ** 64n - 1n").get(1));
        assertEquals(Long.MAX_VALUE, run("a", Long.MAX_VALUE).get(1));
        assertEquals((1L << 53) + 1, run("a + 0n", (1L << 53) + 1).get(1));
    }

    @Test
    void jsonInputsArriveAsPlainObjects() throws Exception {
        Map<String, Object> values = Map.of("subject", "a fox", "n", 3L, "tags", List.of("red", "small"));
        assertEquals("a fox, red small x3", run("`${a.subject}, ${a.tags.join(' ')} x${a.n}`", values).get(0));
        assertEquals(true, run("Object.getPrototypeOf(a) === Object.prototype && Array.isArray(a.tags)", values)
                .get(0));
    }

    @Test
    void consoleOutputGoesToTheNodeLog() throws Exception {
        TestNodeContext context = new TestNodeContext();
        node.execute(NodeInputs.of(Map.of("script", "console.log('size', a); return a", "a", 7L)), context);
        assertEquals(List.of("console: size 7"), context.logged());
    }

    @Test
    void errorsNameTheScriptAndLine() {
        JsScriptException e = assertThrows(JsScriptException.class, () -> run("const x = a.missing.field\nreturn x"));
        assertTrue(e.getMessage().startsWith("JavaScriptExpression:1: TypeError"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> run("a", new Object()));
        assertTrue(bad.getMessage().startsWith("input 'a' is a Object"), bad.getMessage());
    }

    @Test
    void sameInputsGiveTheSameResultAndNoFingerprint() throws Exception {
        assertNull(node.fingerprint(NodeInputs.of(Map.of("script", "a"))));
        List<Object> first = run("[a, b, a * b]", 3L, 2L);
        List<Object> second = run("[a, b, a * b]", 3L, 2L);
        assertEquals(List.of(3L, 2L, 6L), first.get(0));
        assertEquals(first.get(0), second.get(0));
        assertEquals("[3,2,6]", second.get(3));
    }

    @Test
    void cancellingTheRunStopsTheScript() {
        TestNodeContext context = new TestNodeContext();
        context.cancel();
        JsScriptException e = assertThrows(JsScriptException.class,
                () -> node.execute(NodeInputs.of(Map.of("script", "while (true) {}")), context));
        assertTrue(e.getMessage().contains("the run was cancelled"), e.getMessage());
    }

    @Test
    void packIsFoundByServiceLoader() {
        List<NodePack> packs = ServiceLoader.load(NodePack.class).stream().map(ServiceLoader.Provider::get).toList();
        NodePack js = packs.stream().filter(p -> p.id().equals(JsNodePack.ID)).findFirst().orElseThrow();
        assertEquals(List.of("JavaScriptExpression"), js.nodes().stream().map(n -> n.schema().name()).toList());
    }
}
