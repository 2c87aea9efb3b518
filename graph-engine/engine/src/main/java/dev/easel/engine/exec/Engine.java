package dev.easel.engine.exec;

import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.event.RunListener;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
import dev.easel.engine.validation.WorkflowValidator;
import dev.easel.engine.workflow.Workflow;
import dev.easel.node.Folders;
import dev.easel.node.RuntimeInfo;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The workflow engine: validates workflows against the registered nodes and runs them. One engine serves many runs
 * (one after another, or concurrently); runs share the node registry, the output cache and the accelerator lock.
 */
public final class Engine implements AutoCloseable {

    private final EngineCore core;

    public Engine(NodeRegistry registry, OutputCache cache, RuntimeInfo runtime, Folders folders,
                  EngineSettings settings) {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "easel-worker-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.core = new EngineCore(registry, cache, runtime, folders, settings, pool, new ReentrantLock(true));
    }

    public NodeRegistry registry() {
        return core.registry();
    }

    public OutputCache cache() {
        return core.cache();
    }

    /** Validates {@code workflow} (strict unless the options say otherwise). */
    public ValidationResult validate(Workflow workflow, ValidationOptions options) {
        return new WorkflowValidator(core.registry()).validate(workflow, options);
    }

    /**
     * Runs a validated workflow on the calling thread (helped by worker threads when parallelism allows) and returns
     * when it ends. Events go to {@code listener} in order. Node failures and cancellation end the run with an
     * error or interrupted result; they are not thrown.
     */
    public RunResult run(RunRequest request, RunListener listener, CancellationToken token) {
        return new Run(core, request, listener, token).execute();
    }

    @Override
    public void close() {
        core.pool().shutdownNow();
    }
}
