package dev.easel.plugins.js;

import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void smoke() throws Exception {
        try (JsSandbox s = new JsSandbox(JsLimits.defaults().withStatements(2_000_000).withWallTime(Duration.ofSeconds(3)).withAllocatedBytes(128L << 20))) {
            for (String script : new String[] {"a * 2 + b", "return `photo of ${a}`", "while(true){}", "function f(n){return f(n+1)+1}; return f(0)",
                    "new Array(1e9).fill(1)", "let s='x'; while(true) s+=s; return s.length", "Java.type('java.lang.System')", "Polyglot.eval('js','1')",
                    "load('/etc/passwd')", "require('fs')", "Object.getOwnPropertyNames(globalThis).join(',')", "Object.prototype.x = 1",
                    "({}).x", "constructor.constructor('return this')()", "Function('return 1')()", "eval('1')", "Math.random()", "Date.now()", "new Date(0).toISOString()",
                    "({get x(){ while(true){} }})", "import('/etc/passwd')", "async function f(){ return 5 }; return f()",
                    "function f(){ Promise.resolve().then(f) }; f(); return 1", "return 1}; let leaked = 1; (function(){", "[1, 2.5, 'x', true, null, {k: [1n]}]",
                    "2n ** 64n - 1n", "a", "let a = 5; return a", "let x = []; for (let i = 0; i < 1e7; i++) x.push({i}); return x.length"}) {
                long t0 = System.nanoTime();
                try {
                    JsResult r = s.call(InlineScripts.program("inline", script), Arrays.asList(21L, 1L, null, null), true, () -> false);
                    System.out.println("OK  " + script + " => " + r.value() + " (" + (r.value() == null ? null : r.value().getClass().getSimpleName()) + ") text=" + r.text() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                } catch (JsScriptException e) {
                    System.out.println("ERR " + script + " => " + e.kind() + " " + e.getMessage() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                }
            }
        }
    }
}
