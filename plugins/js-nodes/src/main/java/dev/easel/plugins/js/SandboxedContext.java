package dev.easel.plugins.js;

import java.io.InputStream;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.ResourceLimits;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;

/**
 * One locked-down JavaScript context with one program compiled in it. Not thread-safe: a context is used by one
 * evaluation at a time and then pooled or closed.
 */
final class SandboxedContext implements AutoCloseable {

    /**
     * One instance for every context of the shared engine: GraalVM 25 throws an internal NPE when contexts of one
     * engine use different HostAccess objects (java-stack §4). No host object is ever handed to a script anyway.
     */
    static final HostAccess HOST_ACCESS = HostAccess.NONE;

    final Context context;
    final Value helpers;
    /** The program's function; {@code null} until {@link #compile()} ran. */
    Value function;
    /** JavaScript's {@code undefined}, for arguments that are absent. */
    final Value nothing;
    /** The result caps as the prelude's {@code finish} takes them. */
    final Value caps;
    final BoundedOutput console;
    final JsProgram program;

    private SandboxedContext(Context context, Value helpers, Value caps, BoundedOutput console, JsProgram program) {
        this.context = context;
        this.helpers = helpers;
        this.caps = caps;
        this.nothing = helpers.invokeMember("nothing");
        this.console = console;
        this.program = program;
    }

    /**
     * A new context on {@code engine}, locked down by the prelude, for {@code program}; call {@link #compile()} (under
     * the evaluation's limits: compiling runs the program's top level) before use.
     */
    static SandboxedContext open(Engine engine, JsLimits limits, ResourceLimits resourceLimits, Source prelude,
                                 JsProgram program) {
        BoundedOutput console = new BoundedOutput(limits.maxConsoleChars());
        Context context = Context.newBuilder("js")
                .engine(engine)
                .allowHostAccess(HOST_ACCESS)
                .allowHostClassLookup(className -> false)
                .allowHostClassLoading(false)
                .allowIO(IOAccess.NONE)
                .allowCreateThread(false)
                .allowNativeAccess(false)
                .allowCreateProcess(false)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowInnerContextOptions(false)
                .allowValueSharing(false)
                .allowExperimentalOptions(true)
                .resourceLimits(resourceLimits)
                .in(InputStream.nullInputStream())
                .out(console)
                .err(console)
                .option("js.strict", "true")
                .option("js.allow-eval", "false")
                .option("js.load", "false")
                .option("js.print", "false")
                .option("js.graal-builtin", "false")
                .option("js.polyglot-builtin", "false")
                .option("js.java-package-globals", "false")
                .option("js.global-arguments", "false")
                .option("js.regexp-static-result", "false")
                .option("js.shared-array-buffer", "false")
                .option("js.atomics", "false")
                .option("js.intl-402", "false")
                .option("js.timezone", "UTC")
                .option("js.unhandled-rejections", "none")
                .build();
        try {
            Value helpers = context.eval(prelude);
            Value caps = helpers.invokeMember("object");
            helpers.invokeMember("put", caps, "maxChars", limits.maxResultChars());
            helpers.invokeMember("put", caps, "maxElements", limits.maxResultElements());
            helpers.invokeMember("put", caps, "maxDepth", limits.maxResultDepth());
            return new SandboxedContext(context, helpers, caps, console, program);
        } catch (RuntimeException e) {
            closeQuietly(context);
            throw e;
        }
    }

    /**
     * Compiles the first candidate that parses, and makes sure it is one function expression and nothing else: its
     * source text must be the whole candidate, so a script cannot close the wrapper and leave declarations behind.
     */
    void compile() throws JsScriptException {
        PolyglotException syntaxError = null;
        for (String candidate : program.candidates()) {
            Value fn;
            try {
                fn = context.eval(Source.newBuilder("js", candidate, program.name()).cached(true).buildLiteral());
            } catch (PolyglotException e) {
                if (!e.isSyntaxError()) {
                    throw e;
                }
                syntaxError = e;
                continue;
            }
            Value text = helpers.invokeMember("sourceOf", fn);
            String expected = candidate.substring(1, candidate.length() - 1);
            if (text.isNull() || !text.asString().equals(expected)) {
                throw new JsScriptException(JsScriptException.Kind.SYNTAX, program.name()
                        + ": the script must be one function body; it closes its function early", "");
            }
            function = fn;
            return;
        }
        throw new JsScriptException(JsScriptException.Kind.SYNTAX, JsErrors.describe(program.name(), syntaxError), "");
    }

    @Override
    public void close() {
        closeQuietly(context);
    }

    /** Stops whatever runs in the context and closes it; safe from any thread. */
    void cancel() {
        try {
            context.close(true);
        } catch (RuntimeException ignored) {
            // Already closed or closing: nothing left to stop.
        }
    }

    private static void closeQuietly(Context context) {
        try {
            context.close(true);
        } catch (RuntimeException ignored) {
            // A cancelled context reports the cancellation again on close.
        }
    }
}
