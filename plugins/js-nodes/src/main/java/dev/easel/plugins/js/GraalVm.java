package dev.easel.plugins.js;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.FutureTask;
import org.graalvm.polyglot.Engine;

/**
 * Makes GraalVM engines so that the plugin can be unloaded. GraalVM (on the host's class path) registers one JVM
 * shutdown hook when the first engine is built, and a thread remembers the protection domains of the code that
 * created it; built from plugin code, that hook would keep this plugin's class loader reachable for the life of the
 * JVM. So the engine is built on a common-pool thread (made by the JDK) through a method-handle proxy, a call stack
 * with no class of this plugin on it. The caller waits on a {@link FutureTask}, not a fork-join task, which it
 * could otherwise end up running itself.
 */
final class GraalVm {

    private GraalVm() {
    }

    static Engine buildEngine(Engine.Builder builder) {
        try {
            MethodHandle build = MethodHandles.publicLookup()
                    .findVirtual(Engine.Builder.class, "build", MethodType.methodType(Engine.class)).bindTo(builder);
            @SuppressWarnings("unchecked")
            FutureTask<Engine> task = new FutureTask<>(MethodHandleProxies.asInterfaceInstance(Callable.class, build));
            ForkJoinPool.commonPool().execute(task);
            return task.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the JavaScript engine", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
