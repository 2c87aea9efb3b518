package dev.easel.plugins.js;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Hostile and runaway scripts against the real GraalVM sandbox; each must fail with a clear error. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JsSandboxTest {

    private static JsSandbox sandbox;

    @BeforeAll
    static void open() {
        sandbox = new JsSandbox(JsLimits.defaults().withStatements(3_000_000).withWallTime(Duration.ofSeconds(20))
                .withAllocatedBytes(96L << 20));
        // Statements are not limited here, so only the clock (or a cancellation) can stop a loop.
        clockOnly = new JsSandbox(JsLimits.defaults().withStatements(Long.MAX_VALUE / 2)
                .withWallTime(Duration.ofMillis(500)).withAllocatedBytes(1L << 40));
    }

    private static JsSandbox clockOnly;

    @AfterAll
    static void close() {
        sandbox.close();
        clockOnly.close();
    }

    private static JsResult eval(String script, Object... args) throws JsScriptException {
        List<Object> in = Arrays.asList(Arrays.copyOf(args, 4));
        return sandbox.call(InlineScripts.program("script", script), in, true, () -> false);
    }

    private static JsScriptException failure(String script, JsScriptException.Kind kind, String... fragments) {
        JsScriptException e = assertThrows(JsScriptException.class, () -> eval(script));
        assertEquals(kind, e.kind(), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should mention '" + fragment + "'");
        }
        return e;
    }

    @Test
    @Order(1)
    void infiniteLoopHitsTheStatementLimit() {
        failure("while (true) {}", JsScriptException.Kind.LIMIT, "script: stopped", "Statement count limit");
    }

    @Test
    @Order(2)
    void loopOfFunctionCallsHitsTheStatementLimit() {
        // The interpreter allocates a frame per call, so the allocation bound may stop it first; either is a limit.
        JsScriptException e = failure("function f(x) { return x + 1 } let i = 0; for (;;) { i = f(i) }",
                JsScriptException.Kind.LIMIT, "script: stopped");
        assertTrue(e.getMessage().matches(".*(Statement count limit|allocated more than 96 MiB).*"), e.getMessage());
    }

    @Test
    @Order(3)
    void wallTimeStopsALoop() {
        long start = System.nanoTime();
        JsScriptException e = assertThrows(JsScriptException.class, () -> clockOnly.call(
                InlineScripts.program("loop", "for (;;) {}"), Arrays.asList(null, null, null, null), false,
                () -> false));
        assertEquals(JsScriptException.Kind.LIMIT, e.kind());
        assertEquals("loop: stopped: it ran longer than 500 ms", e.getMessage());
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "stopped promptly");
    }

    @Test
    @Order(4)
    void deepRecursionIsARangeError() {
        failure("function f(n) { return f(n + 1) + 1 } return f(0)", JsScriptException.Kind.THROWN,
                "script:1", "RangeError", "call stack");
    }

    @Test
    @Order(5)
    void hugeArrayHitsTheAllocationBound() {
        failure("new Array(1e9).fill(1)", JsScriptException.Kind.LIMIT, "stopped: it allocated more than 96 MiB");
    }

    @Test
    @Order(6)
    void manySmallObjectsHitTheAllocationBound() {
        failure("const x = []; for (let i = 0; i < 1e7; i++) x.push({ i, s: 'v' + i, t: [i, i] }); return x.length",
                JsScriptException.Kind.LIMIT, "allocated more than 96 MiB");
    }

    @Test
    @Order(7)
    void stringDoublingStopsAtTheStringLimit() {
        failure("let s = 'x'; while (true) s += s; return s.length", JsScriptException.Kind.THROWN,
                "RangeError", "Invalid string length");
    }

    @Test
    @Order(8)
    void hostAndLoaderGlobalsDoNotExist() {
        failure("Java.type('java.lang.System')", JsScriptException.Kind.THROWN, "ReferenceError", "Java is not defined");
        failure("Polyglot.eval('js', '1')", JsScriptException.Kind.THROWN, "Polyglot is not defined");
        failure("Polyglot.import('x')", JsScriptException.Kind.THROWN, "Polyglot is not defined");
        failure("load('/etc/passwd')", JsScriptException.Kind.THROWN, "load is not defined");
        failure("require('fs')", JsScriptException.Kind.THROWN, "require is not defined");
        failure("Packages.java.lang.Runtime", JsScriptException.Kind.THROWN, "Packages is not defined");
        failure("Graal.versionJS", JsScriptException.Kind.THROWN, "Graal is not defined");
        failure("print('x')", JsScriptException.Kind.THROWN, "print is not defined");
    }

    @Test
    @Order(9)
    void codeGenerationFromStringsIsDisabled() {
        failure("constructor.constructor('return this')()", JsScriptException.Kind.THROWN, "EvalError",
                "dynamic evaluation of code is disabled");
        failure("Function('return 1')()", JsScriptException.Kind.THROWN, "EvalError");
        failure("(async function () {}).constructor('return 1')", JsScriptException.Kind.THROWN, "EvalError");
        failure("eval('1')", JsScriptException.Kind.THROWN, "eval is not defined");
    }

    @Test
    @Order(10)
    void dynamicImportOfAFileIsRefused() {
        failure("import('/etc/passwd')", JsScriptException.Kind.THROWN, "not allowed");
    }

    @Test
    @Order(11)
    void globalObjectHoldsOnlyStandardBuiltins() throws Exception {
        Set<String> standard = Set.of("Object", "Function", "Array", "String", "Date", "Number", "Boolean", "RegExp",
                "Math", "JSON", "NaN", "Infinity", "undefined", "isNaN", "isFinite", "parseFloat", "parseInt",
                "encodeURI", "encodeURIComponent", "decodeURI", "decodeURIComponent", "escape", "unescape", "Error",
                "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError", "AggregateError",
                "ArrayBuffer", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
                "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
                "Float16Array", "DataView", "BigInt", "Map", "Set", "WeakMap", "WeakSet", "Symbol", "Reflect",
                "Proxy", "Promise", "Iterator", "globalThis", "console");
        @SuppressWarnings("unchecked")
        List<Object> names = (List<Object>) eval("Object.getOwnPropertyNames(globalThis)").value();
        for (Object name : names) {
            assertTrue(standard.contains(name), "unexpected global " + name);
        }
        assertEquals(true, eval("Object.isFrozen(globalThis) && Object.isFrozen(Object.prototype) "
                + "&& Object.isFrozen(Array.prototype) && Object.isFrozen(Object.getPrototypeOf(function* () {}))")
                .value());
    }

    @Test
    @Order(12)
    void prototypePollutionFailsAndDoesNotLeak() throws Exception {
        String pollute = "Object.prototype.polluted = 1; return 1";
        failure(pollute, JsScriptException.Kind.THROWN, "TypeError", "polluted");
        failure("Array.prototype.map = () => 0; return 1", JsScriptException.Kind.THROWN, "TypeError");
        failure("globalThis.leak = 1; return 1", JsScriptException.Kind.THROWN, "TypeError");
        failure("Object.defineProperty(Object.prototype, 'x', { get() { return 1 } })", JsScriptException.Kind.THROWN,
                "TypeError");
        // A warm context of the same script sees a clean realm: run the same script twice in a row.
        String probe = "const seen = ({}).polluted; try { Object.prototype.polluted = 2 } catch (e) {} "
                + "return seen === undefined && ({}).polluted === undefined";
        assertEquals(true, eval(probe).value());
        assertEquals(true, eval(probe).value());
        assertTrue(sandbox.idleContexts() > 0, "the probe's context should be pooled");
    }

    @Test
    @Order(13)
    void scriptCannotCloseItsWrapperToLeaveGlobalState() {
        // Closing the wrapper to declare a global lexical binding (which freezing globalThis would not stop).
        failure("1 } }); let leaked = []; (function () { {", JsScriptException.Kind.SYNTAX,
                "closes its function early");
        failure("1 } }), (function () { {", JsScriptException.Kind.SYNTAX, "closes its function early");
        // Braces that stay inside the function are harmless: the declarations are local.
        failure("1 }; let leaked = []; function g() {", JsScriptException.Kind.RESULT, "returned undefined");
    }

    @Test
    @Order(14)
    void clockAndRandomnessAreUnavailable() throws Exception {
        failure("Math.random()", JsScriptException.Kind.THROWN, "Math.random is not available");
        failure("Date.now()", JsScriptException.Kind.THROWN, "current time is not available");
        failure("new Date().getTime()", JsScriptException.Kind.THROWN, "current time is not available");
        failure("Date()", JsScriptException.Kind.THROWN, "current time is not available");
        assertEquals("2024-01-02T03:04:05.000Z", eval("new Date(Date.UTC(2024, 0, 2, 3, 4, 5)).toISOString()").value());
        assertEquals(true, eval("new Date(0) instanceof Date").value());
    }

    @Test
    @Order(15)
    void endlessMicrotasksAreStopped() {
        JsScriptException e = failure("function f() { Promise.resolve().then(f) } f(); return 1",
                JsScriptException.Kind.LIMIT, "stopped");
        assertTrue(e.getMessage().matches(".*(Statement count limit|allocated more than|ran longer than).*"),
                e.getMessage());
    }

    @Test
    @Order(16)
    void getterBombInTheResultIsRefusedWithoutRunningIt() {
        failure("({ a: 1, get x() { while (true) {} } })", JsScriptException.Kind.RESULT,
                "the result at x is a getter");
        failure("[1, 2, { get y() { return 1 } }]", JsScriptException.Kind.RESULT, "the result at [2].y is a getter");
    }

    @Test
    @Order(17)
    void proxyTrapsInTheResultRunUnderTheLimits() {
        failure("new Proxy({}, { ownKeys() { while (true) {} } })", JsScriptException.Kind.LIMIT, "stopped");
    }

    @Test
    @Order(18)
    void resultsThatAreNotPlainDataAreRefused() {
        failure("new Map()", JsScriptException.Kind.RESULT, "is a Map object");
        failure("() => 1", JsScriptException.Kind.RESULT, "is a function");
        failure("Symbol('x')", JsScriptException.Kind.RESULT, "is a symbol");
        failure("const o = {}; o.self = o; return o", JsScriptException.Kind.RESULT, "the result at self contains itself");
        failure("let o = {}; for (let i = 0; i < 100; i++) o = { o }; return o", JsScriptException.Kind.RESULT,
                "nests deeper than 64 levels");
        failure("undefined", JsScriptException.Kind.RESULT, "returned undefined");
        failure("new Promise(() => {})", JsScriptException.Kind.RESULT, "never settled");
    }

    @Test
    @Order(19)
    void oversizedResultsAreRefused() throws Exception {
        try (JsSandbox small = new JsSandbox(JsLimits.defaults().withResultCaps(1000, 100, 8))) {
            JsProgram text = InlineScripts.program("big", "'x'.repeat(a)");
            assertEquals(1000, ((String) small.call(text, Arrays.asList(1000L, null, null, null), false, () -> false)
                    .value()).length());
            JsScriptException e = assertThrows(JsScriptException.class,
                    () -> small.call(text, Arrays.asList(1001L, null, null, null), false, () -> false));
            assertTrue(e.getMessage().contains("more than 1000 characters"), e.getMessage());
            JsScriptException many = assertThrows(JsScriptException.class, () -> small.call(
                    InlineScripts.program("many", "Array(101).fill(0)"), Arrays.asList(null, null, null, null),
                    false, () -> false));
            assertTrue(many.getMessage().contains("more than 100 elements"), many.getMessage());
        }
    }

    @Test
    @Order(20)
    void thrownErrorsNameTheLine() {
        failure("const x = 1;\nthrow new TypeError('bad size ' + x)", JsScriptException.Kind.THROWN,
                "script:2", "TypeError: bad size 1");
        failure("return 1 +", JsScriptException.Kind.SYNTAX, "script:", "SyntaxError");
    }

    @Test
    @Order(21)
    void cancellationStopsTheScript() {
        long start = System.nanoTime();
        JsScriptException e = assertThrows(JsScriptException.class, () -> clockOnly.call(
                InlineScripts.program("script", "while (true) {}"),
                Arrays.asList(null, null, null, null), false, () -> System.nanoTime() - start > 100_000_000L));
        assertEquals(JsScriptException.Kind.LIMIT, e.kind());
        // On a loaded machine the cancellation may come before the context is ready; either way it is stopped.
        assertTrue(e.getMessage().matches("script: stopped( before it started)?: the run was cancelled"),
                e.getMessage());
    }

    @Test
    @Order(100)
    void afterAllOfThatANormalScriptStillRunsQuickly() throws Exception {
        JsProgram program = InlineScripts.program("script", "a * 2 + b");
        assertEquals(43L, sandbox.call(program, Arrays.asList(21L, 1L, null, null), false, () -> false).value());
        long start = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            assertEquals(2L * i + 1, sandbox.call(program, Arrays.asList((long) i, 1L, null, null), false, () -> false)
                    .value());
        }
        long perCallMicros = (System.nanoTime() - start) / 200 / 1000;
        assertTrue(perCallMicros < 20_000, "a warm evaluation took " + perCallMicros + " µs");
        Runtime rt = Runtime.getRuntime();
        assertTrue(rt.totalMemory() - rt.freeMemory() < rt.maxMemory(), "heap still has room");
    }

    @Test
    @Order(30)
    void valuesCrossTheBoundaryTyped() throws Exception {
        assertEquals(List.of(1L, 2.5, "x", true), eval("[1, 2.5, 'x', true]").value());
        assertEquals(Map.of("k", List.of(1L)), eval("({ k: [1], skipped: undefined })").value());
        assertEquals(new BigInteger("18446744073709551615"), eval("2n ** 64n - 1n").value());
        // Seeds beyond 2^53 arrive as BigInt and survive a round trip; small integers are numbers.
        long bigSeed = 0xFEDC_BA98_7654_3210L;
        assertEquals("bigint", eval("typeof a", bigSeed).value());
        assertEquals(bigSeed, eval("a", bigSeed).value());
        assertEquals("number", eval("typeof a", 5L).value());
        assertEquals(Map.of("a", List.of(1L, "two"), "__proto__", 3L),
                eval("a", Map.of("a", List.of(1L, "two"), "__proto__", 3L)).value());
        assertEquals(-0.0, eval("-0").value());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> JsValues.checkInput("input 'a'", new Object(), false));
        assertTrue(bad.getMessage().contains("input 'a' is a Object, which JavaScript cannot take"));
    }
}
