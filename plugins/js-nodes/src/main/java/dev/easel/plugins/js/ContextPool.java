package dev.easel.plugins.js;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Idle warm contexts by program. A context only ever runs the one program it was opened with, and only after an
 * evaluation that ended normally, so what an evaluation can observe of an earlier one is limited to the frozen,
 * stateless realm the prelude leaves behind. The least recently used programs lose their contexts first.
 */
final class ContextPool {

    private final int maxIdle;
    private final int maxPerProgram;
    private final LinkedHashMap<String, ArrayDeque<SandboxedContext>> idle = new LinkedHashMap<>(16, 0.75f, true);
    private int count;

    ContextPool(int maxIdle, int maxPerProgram) {
        this.maxIdle = maxIdle;
        this.maxPerProgram = maxPerProgram;
    }

    /** A warm context for the program, or {@code null}. */
    synchronized SandboxedContext take(String programKey) {
        ArrayDeque<SandboxedContext> contexts = idle.get(programKey);
        if (contexts == null || contexts.isEmpty()) {
            return null;
        }
        count--;
        SandboxedContext context = contexts.pop();
        if (contexts.isEmpty()) {
            idle.remove(programKey);
        }
        return context;
    }

    /** Keeps a context that finished an evaluation normally; closes what no longer fits. */
    void give(SandboxedContext context) {
        List<SandboxedContext> evicted = new ArrayList<>();
        synchronized (this) {
            ArrayDeque<SandboxedContext> contexts = idle.computeIfAbsent(context.program.key(), k -> new ArrayDeque<>());
            if (contexts.size() >= maxPerProgram) {
                evicted.add(context);
            } else {
                contexts.push(context);
                count++;
            }
            Iterator<Map.Entry<String, ArrayDeque<SandboxedContext>>> eldest = idle.entrySet().iterator();
            while (count > maxIdle && eldest.hasNext()) {
                ArrayDeque<SandboxedContext> oldest = eldest.next().getValue();
                while (count > maxIdle && !oldest.isEmpty()) {
                    evicted.add(oldest.removeLast());
                    count--;
                }
                if (oldest.isEmpty()) {
                    eldest.remove();
                }
            }
        }
        evicted.forEach(SandboxedContext::close);
    }

    /** Closes every idle context. */
    void clear() {
        List<SandboxedContext> all = new ArrayList<>();
        synchronized (this) {
            idle.values().forEach(all::addAll);
            idle.clear();
            count = 0;
        }
        all.forEach(SandboxedContext::close);
    }

    synchronized int idleCount() {
        return count;
    }
}
