package dev.easel.plugins.js;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.ResourceLimits;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * Runs untrusted JavaScript with GraalVM (community, interpreter-only on JDK 17) under per-evaluation limits.
 *
 * <p><b>Isolation.</b> Each context has no host access, class lookup, I/O, threads, processes, native access,
 * polyglot access or environment; {@code eval}/{@code Function} code generation, {@code load}, {@code print}, the
 * {@code Java}/{@code Polyglot}/{@code Graal} globals, weak references, shared memory, the clock and
 * {@code Math.random} are gone; every built-in object and the global object are frozen (see {@code prelude.js}).
 * Values cross as copies (see {@link JsValues}).
 *
 * <p><b>Limits</b> ({@link JsLimits}) per evaluation: a statement limit (GraalVM {@link ResourceLimits}, reset
 * before each evaluation); a wall-time limit and an allocation bound, both enforced by the calling thread, which
 * watches the worker thread that runs the script and cancels its context ({@code close(true)}) when the evaluation
 * runs too long or the worker has allocated more than the bound ({@code ThreadMXBean#getThreadAllocatedBytes}: bytes
 * allocated, garbage included, a proxy for heap use); result caps on size and depth. Deep recursion ends in
 * JavaScript's own RangeError on the worker's fixed-size stack. Any failure closes the context; nothing that failed
 * is reused.
 *
 * <p><b>Warm evaluations.</b> Contexts share one {@link Engine} (so parsed code is shared) and are pooled per
 * program: a context runs only the program it was opened with, and returns to the pool only after an evaluation
 * ended normally. Because the realm is frozen and programs are single function expressions (their text is checked),
 * an evaluation can leave nothing behind for the next one.
 */
public final class JsSandbox implements AutoCloseable {

    private static final String PRELUDE = "prelude.js";
    private static final long WORKER_STACK_BYTES = 8L << 20;
    private static final long POLL_MILLIS = 2;
    private static final long STOP_GRACE_MILLIS = 5_000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static volatile JsSandbox shared;

    private final JsLimits limits;
    private final Engine engine;
    private final ResourceLimits resourceLimits;
    private final Source prelude;
    private final ContextPool pool = new ContextPool(64, 4);
    private final ExecutorService workers;

    /** A sandbox with its own engine and worker threads; close it when done. */
    public JsSandbox(JsLimits limits) {
        this.limits = limits;
        if (!THREADS.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM cannot measure per-thread allocation; the JavaScript sandbox "
                    + "needs it to bound script memory");
        }
        THREADS.setThreadAllocatedMemoryEnabled(true);
        this.engine = GraalVm.buildEngine(Engine.newBuilder("js")
                .option("engine.WarnInterpreterOnly", "false")
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream()));
        this.resourceLimits = ResourceLimits.newBuilder().statementLimit(limits.statements(), null).build();
        this.prelude = Source.newBuilder("js", readPrelude(), "<easel-sandbox>").cached(true).buildLiteral();
        AtomicInteger threads = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(null, r, "easel-js-" + threads.incrementAndGet(), WORKER_STACK_BYTES);
                    t.setDaemon(true);
                    return t;
                });
    }

    /** The process-wide sandbox with {@link JsLimits#defaults()}, created on first use. */
    public static JsSandbox shared() {
        JsSandbox s = shared;
        if (s == null) {
            synchronized (JsSandbox.class) {
                s = shared;
                if (s == null) {
                    s = new JsSandbox(JsLimits.defaults());
                    shared = s;
                }
            }
        }
        return s;
    }

    /**
     * Closes the process-wide sandbox, if it was created (the plugin does when it stops, so no engine or worker
     * thread keeps its class loader alive); a later {@link #shared()} makes a new one.
     */
    public static void closeShared() {
        JsSandbox s;
        synchronized (JsSandbox.class) {
            s = shared;
            shared = null;
        }
        if (s != null) {
            s.close();
            s.awaitWorkers();
        }
    }

    public JsLimits limits() {
        return limits;
    }

    /**
     * Calls the program's function with {@code args} (each checked by {@link JsValues#checkInput}; {@code null}
     * elements are passed as {@code undefined}).
     *
     * @param views also compute the result's text and truthiness
     */
    JsResult call(JsProgram program, List<Object> args, boolean views, BooleanSupplier cancelled)
            throws JsScriptException {
        return evaluate(program, cancelled, sc -> {
            Object[] call = new Object[args.size() + 1];
            call[0] = sc.function;
            for (int i = 0; i < args.size(); i++) {
                Object arg = args.get(i);
                call[i + 1] = arg == null ? sc.nothing : JsValues.toJs(sc.helpers, arg);
            }
            Value box = sc.helpers.invokeMember("invoke", call);
            return sc.helpers.invokeMember("finish", box, sc.caps, views);
        });
    }

    /** The declarations a pack file makes with {@code defineNode}, as plain data (functions left out). */
    List<Object> describe(JsProgram loader) throws JsScriptException {
        JsResult described = evaluate(loader, () -> false, sc -> {
            Value defs = sc.helpers.invokeMember("definitions", sc.function);
            Value data = sc.helpers.invokeMember("describe", defs, sc.caps);
            Value record = sc.helpers.invokeMember("object");
            sc.helpers.invokeMember("put", record, "value", data);
            return record;
        });
        List<Object> out = new ArrayList<>();
        for (Object item : (List<?>) described.value()) {
            out.add(item);
        }
        return out;
    }

    /** Runs the {@code execute} function of the pack node {@code nodeName} with one input object. */
    JsResult runPackNode(JsProgram loader, String nodeName, Map<String, Object> checkedInputs,
                         BooleanSupplier cancelled) throws JsScriptException {
        return evaluate(loader, cancelled, sc -> {
            Value defs = sc.helpers.invokeMember("definitions", sc.function);
            Value execute = sc.helpers.invokeMember("node", defs, nodeName);
            Value box = sc.helpers.invokeMember("invoke", execute, JsValues.toJs(sc.helpers, checkedInputs));
            return sc.helpers.invokeMember("finish", box, sc.caps, false);
        });
    }

    /** Idle warm contexts (for tests and tuning). */
    int idleContexts() {
        return pool.idleCount();
    }

    @Override
    public void close() {
        workers.shutdownNow();
        pool.clear();
        try {
            engine.close(true);
        } catch (RuntimeException ignored) {
            // Contexts still being cancelled: the engine goes with them.
        }
    }

    /** Waits a little for the worker threads to end (they refer to this class, and so to the plugin's loader). */
    private void awaitWorkers() {
        try {
            if (!workers.awaitTermination(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                System.getLogger("easel.js").log(System.Logger.Level.WARNING,
                        "JavaScript worker threads did not end within " + STOP_GRACE_MILLIS + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One step run inside a context; returns the prelude's {@code finish} record ({value[, text, truthy]}). */
    private interface Step {
        Value run(SandboxedContext sc);
    }

    private JsResult evaluate(JsProgram program, BooleanSupplier cancelled, Step step) throws JsScriptException {
        Evaluation ev = new Evaluation();
        Future<JsResult> result = workers.submit(() -> work(program, step, ev));
        try {
            while (true) {
                try {
                    return result.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillRunning) {
                    String reason = ev.overLimit(limits, cancelled);
                    if (reason != null) {
                        ev.stop(reason);
                        return result.get(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS);
                    }
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof JsScriptException failure) {
                throw failure;
            }
            throw new IllegalStateException(program.name() + ": the JavaScript sandbox failed: " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new JsScriptException(JsScriptException.Kind.LIMIT, program.name() + ": stopped ("
                    + ev.reason() + ") but did not end within " + STOP_GRACE_MILLIS + " ms", "");
        } catch (InterruptedException e) {
            ev.stop("the calling thread was interrupted");
            Thread.currentThread().interrupt();
            throw new JsScriptException(JsScriptException.Kind.LIMIT, program.name() + ": interrupted", "");
        }
    }

    private JsResult work(JsProgram program, Step step, Evaluation ev) throws JsScriptException {
        SandboxedContext sc = pool.take(program.key());
        if (sc == null) {
            sc = SandboxedContext.open(engine, limits, resourceLimits, prelude, program);
        }
        boolean reusable = false;
        try {
            if (!ev.begin(sc)) {
                throw new JsScriptException(JsScriptException.Kind.LIMIT, program.name() + ": stopped before it "
                        + "started: " + ev.reason(), "");
            }
            sc.context.resetLimits();
            sc.console.drain();
            if (sc.function == null) {
                sc.compile();
            }
            Value record = step.run(sc);
            Value text = record.getMember("text");
            Value truthy = record.getMember("truthy");
            JsResult out = new JsResult(JsValues.fromJs(record.getMember("value")),
                    text == null || text.isNull() ? null : text.asString(),
                    truthy != null && !truthy.isNull() && truthy.asBoolean(), sc.console.drain());
            reusable = true;
            return out;
        } catch (PolyglotException e) {
            throw translate(program, e, ev, sc.console.drain());
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw new JsScriptException(JsScriptException.Kind.LIMIT, program.name() + ": stopped: the JVM ran out of "
                    + (e instanceof OutOfMemoryError ? "memory" : "stack") + " while it ran", sc.console.drain());
        } finally {
            boolean stopped = !ev.end();
            if (reusable && !stopped) {
                pool.give(sc);
            } else {
                sc.close();
            }
        }
    }

    private JsScriptException translate(JsProgram program, PolyglotException e, Evaluation ev, String console) {
        String reason = ev.reason();
        if (reason != null) {
            return new JsScriptException(JsScriptException.Kind.LIMIT, program.name() + ": stopped: " + reason, console);
        }
        if (e.isResourceExhausted() || e.isCancelled() || e.isInterrupted()) {
            String what = e.getMessage() == null ? "a resource limit was reached" : e.getMessage();
            return new JsScriptException(JsScriptException.Kind.LIMIT, program.name() + ": stopped: " + what, console);
        }
        if (e.isSyntaxError()) {
            return new JsScriptException(JsScriptException.Kind.SYNTAX, JsErrors.describe(program.name(), e), console);
        }
        String message = JsErrors.describe(program.name(), e);
        if (message.contains(ResultErrors.PREFIX)) {
            return new JsScriptException(JsScriptException.Kind.RESULT, program.name() + ": "
                    + message.substring(message.indexOf(ResultErrors.PREFIX) + ResultErrors.PREFIX.length()), console);
        }
        if (e.isInternalError()) {
            return new JsScriptException(JsScriptException.Kind.THROWN, program.name()
                    + ": the JavaScript engine failed: " + e.getMessage(), console);
        }
        return new JsScriptException(JsScriptException.Kind.THROWN, message, console);
    }

    private static String readPrelude() {
        try (InputStream in = JsSandbox.class.getResourceAsStream(PRELUDE)) {
            if (in == null) {
                throw new IllegalStateException(PRELUDE + " is missing from the js-nodes jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The prefix the prelude puts on errors about a result that cannot leave the sandbox. */
    static final class ResultErrors {
        static final String PREFIX = "ResultError: ";

        private ResultErrors() {
        }
    }

    /** One evaluation as the watching thread sees it: which thread runs it, since when, and whether it was stopped. */
    private static final class Evaluation {
        private SandboxedContext context;
        private long threadId;
        private long allocatedAtStart;
        private long startNanos;
        private boolean running;
        private String reason;

        /** Called by the worker when the script starts; false when it was stopped before. */
        synchronized boolean begin(SandboxedContext sc) {
            if (reason != null) {
                return false;
            }
            context = sc;
            threadId = Thread.currentThread().getId();
            allocatedAtStart = THREADS.getCurrentThreadAllocatedBytes();
            startNanos = System.nanoTime();
            running = true;
            return true;
        }

        /** Called by the worker when the script is done; false when it was stopped. */
        synchronized boolean end() {
            running = false;
            return reason == null;
        }

        synchronized String reason() {
            return reason;
        }

        /** Cancels the script's context, if it still runs. */
        void stop(String why) {
            SandboxedContext toCancel;
            synchronized (this) {
                if (reason != null) {
                    return;
                }
                reason = why;
                toCancel = running ? context : null;
            }
            if (toCancel != null) {
                toCancel.cancel();
            }
        }

        String overLimit(JsLimits limits, BooleanSupplier cancelled) {
            if (cancelled.getAsBoolean()) {
                return "the run was cancelled";
            }
            long thread;
            long base;
            long start;
            synchronized (this) {
                if (!running) {
                    return null;
                }
                thread = threadId;
                base = allocatedAtStart;
                start = startNanos;
            }
            if (System.nanoTime() - start > limits.wallTime().toNanos()) {
                return "it ran longer than " + limits.wallTime().toMillis() + " ms";
            }
            long allocated = THREADS.getThreadAllocatedBytes(thread) - base;
            if (allocated > limits.allocatedBytes()) {
                return "it allocated more than " + (limits.allocatedBytes() >> 20) + " MiB";
            }
            return null;
        }
    }
}
