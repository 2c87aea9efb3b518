package dev.easel.engine.exec;

import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.cache.CachedOutputs;
import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.event.RunEvent;
import dev.easel.engine.event.RunListener;
import dev.easel.engine.validation.ValidatedNode;
import dev.easel.engine.validation.WorkflowValidator;
import dev.easel.engine.workflow.InputValue;
import dev.easel.engine.workflow.Workflow;
import dev.easel.engine.workflow.WorkflowNode;
import dev.easel.node.CancelledException;
import dev.easel.node.ExecutionBlocker;
import dev.easel.node.Fingerprint;
import dev.easel.node.HiddenInput;
import dev.easel.node.NodeInputs;
import dev.easel.node.OutputRef;
import dev.easel.node.Subgraph;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One execution of a validated workflow (api-contract §6.3). Only the targets and the ancestors they need run; a
 * node whose key is in the cache is not run. Ready nodes are taken in topological order by up to
 * {@code parallelism} workers (the caller's thread is one of them), so independent branches overlap while the result
 * stays what a sequential run gives. The run owns one reference to every output it produced or leased from the
 * cache and releases it as soon as the last consumer of that output has finished (and whatever is left when the run
 * ends), so intermediate tensors do not pile up over a long workflow.
 */
final class Run {

    private final EngineCore core;
    private final RunRequest request;
    private final RunListener listener;
    private final CancellationToken token;
    private final String nonce = UUID.randomUUID().toString();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, ExecNode> nodes = new LinkedHashMap<>();
    private final PriorityQueue<ExecNode> ready = new PriorityQueue<>(Comparator.comparingInt(n -> n.order));
    private final Map<String, WorkflowNode> ephemeral = new LinkedHashMap<>();
    private final List<String> executed = new ArrayList<>();
    private final List<String> cachedIds = new ArrayList<>();
    private final Map<String, Map<String, List<Object>>> uiOutputs = new LinkedHashMap<>();
    private int running;
    private int nextOrder;
    private volatile boolean aborting;
    private boolean finished;
    private RunEvent failure;
    private String lastNodeId;
    private Map<String, Object> plainPrompt;

    Run(EngineCore core, RunRequest request, RunListener listener, CancellationToken token) {
        this.core = core;
        this.request = request;
        this.listener = listener;
        this.token = token;
    }

    RunResult execute() {
        emit(new RunEvent.ExecutionStart(request.promptId(), System.currentTimeMillis()));
        try {
            prepare();
            runWorkers();
            if (failure == null) {
                checkTargetsDone();
            }
        } catch (RuntimeException | Error e) {
            lock.lock();
            try {
                fail(errorEvent(lastNodeId == null ? null : nodes.get(lastNodeId), e));
            } finally {
                lock.unlock();
            }
        } finally {
            releaseAll();
        }
        if (failure != null) {
            emit(failure);
            RunResult.Status status = failure instanceof RunEvent.ExecutionInterrupted
                    ? RunResult.Status.INTERRUPTED : RunResult.Status.ERROR;
            return result(status);
        }
        emit(new RunEvent.ExecutionSuccess(request.promptId(), System.currentTimeMillis()));
        return result(RunResult.Status.SUCCESS);
    }

    private RunResult result(RunResult.Status status) {
        return new RunResult(status, Collections.unmodifiableMap(new LinkedHashMap<>(uiOutputs)),
                List.copyOf(executed), List.copyOf(cachedIds), failure);
    }

    // ---- preparation: keys, cache hits, initial activation ----

    /**
     * Creates the run's nodes and serves from the cache every node whose key can be known before anything runs: a
     * key needs the content hashes of all upstream outputs, so it is known for nodes without links and for nodes whose
     * producers were all served from the cache. The others get their keys when they become ready.
     */
    private void prepare() {
        List<ValidatedNode> ordered = topologicalOrder(request.workflow().nodes());
        for (ValidatedNode v : ordered) {
            ExecNode node = new ExecNode(v.id(), v.id(), v.type(), v.literals(), v.links(), nextOrder++);
            nodes.put(node.id, node);
            holdInputs(node);
        }
        for (ValidatedNode v : ordered) {
            ExecNode node = nodes.get(v.id());
            if (!hasLazyInputs(node) && producersResolved(node)) {
                resolveKey(node, inputLists(node));
                lookupCache(node);
            }
        }
        lock.lock();
        try {
            for (ExecNode node : nodes.values()) {
                if (node.cached) {
                    dropInputs(node); // a cached node never reads its inputs
                }
            }
        } finally {
            lock.unlock();
        }
        Map<String, Integer> workflowOrder = new HashMap<>();
        for (String id : request.workflow().source().ids()) {
            workflowOrder.put(id, workflowOrder.size());
        }
        cachedIds.sort(Comparator.comparingInt(workflowOrder::get));
        emit(new RunEvent.ExecutionCached(request.promptId(), List.copyOf(cachedIds), System.currentTimeMillis()));
        lock.lock();
        try {
            for (String target : request.workflow().targets()) {
                ExecNode node = nodes.get(target);
                if (node.cached) {
                    reportUi(node); // ComfyUI re-sends the UI of cached output nodes
                } else {
                    activate(node);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether the node's result may come from (and go to) the cache. */
    private boolean reusable(ExecNode node) {
        return !node.volatileKey && (!node.type.schema().outputNode()
                || (core.settings().reuseOutputNodes() && !request.rerunOutputNodes()));
    }

    /** True when every linked producer is done, so its output hashes are known. */
    private boolean producersResolved(ExecNode node) {
        for (InputValue.Link link : node.links.values()) {
            if (!nodes.get(link.nodeId()).complete()) {
                return false;
            }
        }
        return true;
    }

    /** Kahn's algorithm over the links, ties broken by workflow order. */
    private static List<ValidatedNode> topologicalOrder(Map<String, ValidatedNode> validated) {
        Map<String, Integer> pending = new HashMap<>();
        Map<String, List<String>> downstream = new HashMap<>();
        for (ValidatedNode v : validated.values()) {
            Set<String> ups = new HashSet<>();
            for (InputValue.Link link : v.links().values()) {
                if (validated.containsKey(link.nodeId()) && ups.add(link.nodeId())) {
                    downstream.computeIfAbsent(link.nodeId(), k -> new ArrayList<>()).add(v.id());
                }
            }
            pending.put(v.id(), ups.size());
        }
        Deque<String> queue = new ArrayDeque<>();
        validated.keySet().stream().filter(id -> pending.get(id) == 0).forEach(queue::add);
        List<ValidatedNode> order = new ArrayList<>(validated.size());
        while (!queue.isEmpty()) {
            String id = queue.poll();
            order.add(validated.get(id));
            for (String down : downstream.getOrDefault(id, List.of())) {
                if (pending.merge(down, -1, Integer::sum) == 0) {
                    queue.add(down);
                }
            }
        }
        if (order.size() != validated.size()) {
            throw new IllegalStateException("the workflow has a dependency cycle");
        }
        return order;
    }

    /**
     * Computes the node's key from its literals, its fingerprint over the resolved inputs, and the content hashes of
     * the upstream slots it reads. Lazy inputs that were not evaluated count as such. Nodes that never cache, whose
     * fingerprint says "always changed", or that take raw links get a key no other run shares and are never looked up.
     */
    private void resolveKey(ExecNode node, Map<String, List<Object>> inputs) {
        Object fingerprint = fingerprint(node, inputs);
        boolean rawLinks = node.links.keySet().stream().anyMatch(node::isRawLink);
        if (rawLinks || node.type.schema().neverCache() || fingerprint == Fingerprint.ALWAYS_CHANGED) {
            node.volatileKey = true;
            node.key = CacheKeys.volatileKey(nonce, node.id);
            return;
        }
        Map<String, String> linkHashes = new HashMap<>();
        lock.lock();
        try {
            for (Map.Entry<String, InputValue.Link> e : node.links.entrySet()) {
                ExecNode up = nodes.get(e.getValue().nodeId());
                boolean evaluated = !node.isLazy(e.getKey()) && up.complete() && up.slotHashes != null;
                linkHashes.put(e.getKey(), evaluated ? up.slotHashes.get(e.getValue().slot()) : "lazy-not-evaluated");
            }
        } finally {
            lock.unlock();
        }
        node.key = CacheKeys.of(node.type, node.id, node.literals, linkHashes, fingerprint);
    }

    /** The fingerprint hook over the inputs of the node's first call. */
    private Object fingerprint(ExecNode node, Map<String, List<Object>> inputs) {
        try {
            List<Map<String, Object>> calls = node.type.schema().inputIsList()
                    ? List.of(new LinkedHashMap<>(inputs)) : NodeInvoker.slice(inputs);
            return node.type.node().fingerprint(NodeInputs.of(calls.isEmpty() ? Map.of() : calls.get(0)));
        } catch (Exception | LinkageError e) {
            // As in ComfyUI, a failing fingerprint means "changed": the node simply re-runs.
            System.getLogger("easel.engine").log(System.Logger.Level.WARNING,
                    "fingerprint of node " + node + " failed; it will not be cached", e);
            return Fingerprint.ALWAYS_CHANGED;
        }
    }

    /** Serves the node from the cache when its key is there; true on a hit. */
    private boolean lookupCache(ExecNode node) {
        if (!reusable(node)) {
            return false;
        }
        var hit = core.cache().lookup(node.key);
        if (hit.isEmpty()) {
            return false;
        }
        lock.lock();
        try {
            node.lease = hit.get();
            node.cached = true;
            node.outputs = hit.get().outputs();
            node.slotHashes = hit.get().slotHashes();
            node.ui = hit.get().ui();
            node.state = ExecNode.State.DONE;
            cachedIds.add(node.id);
        } finally {
            lock.unlock();
        }
        return true;
    }

    /** Makes {@code start} and every idle ancestor it needs waiting or ready. Caller holds the lock. */
    private void activate(ExecNode start) {
        Deque<ExecNode> todo = new ArrayDeque<>();
        todo.push(start);
        while (!todo.isEmpty()) {
            ExecNode node = todo.pop();
            if (node.state != ExecNode.State.IDLE) {
                continue;
            }
            node.state = ExecNode.State.WAITING;
            node.pendingDependencies = 0;
            for (Map.Entry<String, InputValue.Link> input : node.links.entrySet()) {
                if (node.isLazy(input.getKey()) || node.isRawLink(input.getKey())) {
                    continue;
                }
                ExecNode up = nodes.get(input.getValue().nodeId());
                if (waitFor(node, up)) {
                    todo.push(up);
                }
            }
            if (node.pendingDependencies == 0) {
                markReady(node);
            }
        }
    }

    /** Registers {@code node} as waiting for {@code up} unless it is done; true when {@code up} is still idle. */
    private static boolean waitFor(ExecNode node, ExecNode up) {
        if (up.complete()) {
            return false;
        }
        node.pendingDependencies++;
        up.waiters.add(node);
        return up.state == ExecNode.State.IDLE;
    }

    private void markReady(ExecNode node) {
        if (node.state == ExecNode.State.WAITING) {
            node.state = ExecNode.State.READY;
        }
        ready.add(node);
        changed.signal();
    }

    // ---- the worker loop ----

    private void runWorkers() {
        int helpers = Math.min(core.settings().parallelism() - 1, Math.max(0, nodes.size() - 1));
        CountDownLatch done = new CountDownLatch(helpers);
        for (int i = 0; i < helpers; i++) {
            core.pool().execute(() -> {
                try {
                    workLoop();
                } finally {
                    done.countDown();
                }
            });
        }
        workLoop();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            token.cancel();
        }
    }

    private void workLoop() {
        while (true) {
            ExecNode node;
            lock.lock();
            try {
                while (true) {
                    if (finished) {
                        return;
                    }
                    if (token.isCancelled() && !aborting) {
                        // Stop dispatching; a running node reports the interruption at its next step boundary.
                        aborting = true;
                        changed.signalAll();
                    }
                    if (!aborting && !ready.isEmpty()) {
                        node = ready.poll();
                        running++;
                        break;
                    }
                    if (running == 0) {
                        if (failure == null && token.isCancelled()) {
                            failure = interruptedEvent(lastNodeId == null ? null : nodes.get(lastNodeId));
                        }
                        finished = true;
                        changed.signalAll();
                        return;
                    }
                    changed.awaitUninterruptibly();
                }
            } finally {
                lock.unlock();
            }
            Throwable problem = null;
            try {
                process(node);
            } catch (Throwable t) {
                problem = t;
            }
            lock.lock();
            try {
                running--;
                if (problem != null) {
                    if (problem instanceof CancelledException) {
                        if (token.isCancelled()) {
                            fail(interruptedEvent(node));
                        }
                    } else {
                        fail(errorEvent(node, problem));
                    }
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (problem instanceof VirtualMachineError vmError && !(problem instanceof OutOfMemoryError)) {
                throw vmError;
            }
        }
    }

    /** Records the first failure and stops scheduling. Caller holds the lock. */
    private void fail(RunEvent event) {
        if (failure == null) {
            failure = event;
        }
        aborting = true;
        changed.signalAll();
    }

    private void process(ExecNode node) throws Exception {
        if (node.state == ExecNode.State.EXPANDED) {
            finishExpansion(node);
            return;
        }
        Map<String, List<Object>> inputs = inputLists(node);
        if (hasLazyInputs(node) && waitForLazyInputs(node, inputs)) {
            return;
        }
        if (node.key == null) {
            resolveKey(node, inputs);
            if (lookupCache(node)) {
                finishFromCache(node); // early cutoff: the inputs changed nothing
                return;
            }
        }
        lock.lock();
        try {
            lastNodeId = node.id;
            node.state = ExecNode.State.RUNNING;
        } finally {
            lock.unlock();
        }
        emit(new RunEvent.Executing(request.promptId(), node.id, node.displayId));
        long start = System.nanoTime();
        NodeInvoker.Result result;
        boolean serialize = node.type.schema().usesAccelerator() && core.runtime().hasAccelerator();
        if (serialize) {
            core.acceleratorLock().lock();
        }
        try {
            result = NodeInvoker.invoke(node.type.node(), node.type.schema(), inputs, call -> new Context(node, call));
        } finally {
            if (serialize) {
                core.acceleratorLock().unlock();
            }
        }
        node.computeNanos = System.nanoTime() - start;
        node.ui = Collections.unmodifiableMap(new LinkedHashMap<>(result.ui()));
        if (result.blockerMessage() != null && node.type.schema().outputNode()) {
            emit(blockedEvent(node, result.blockerMessage()));
        }
        if (!result.expansions().isEmpty()) {
            expand(node, result);
            return;
        }
        complete(node, result.outputs());
    }

    /**
     * Hashes and caches the outputs, marks the node done, wakes the nodes waiting for it, lets go of its inputs, and
     * reports its UI. The cache gets the outputs before any consumer can run, so no consumer can release them first.
     */
    private void complete(ExecNode node, List<List<Object>> outputs) {
        List<String> hashes = new ArrayList<>(outputs.size());
        for (int slot = 0; slot < outputs.size(); slot++) {
            hashes.add(CacheKeys.slotHash(node.key, slot, outputs.get(slot)));
        }
        if (reusable(node) && !containsBlocker(outputs)) {
            core.cache().put(node.key, new CachedOutputs(outputs, hashes, node.ui),
                    new OutputCache.NodeCost(node.type.name(), node.computeNanos, node.type.schema().modelLoader()));
        }
        lock.lock();
        try {
            node.outputs = outputs;
            node.slotHashes = List.copyOf(hashes);
            node.state = ExecNode.State.DONE;
            executed.add(node.id);
            wakeWaitersAndDropInputs(node);
        } finally {
            lock.unlock();
        }
        reportUi(node);
    }

    /** A node that became ready and was then found in the cache (its inputs' content had not changed). */
    private void finishFromCache(ExecNode node) {
        lock.lock();
        try {
            wakeWaitersAndDropInputs(node);
        } finally {
            lock.unlock();
        }
        emit(new RunEvent.ExecutionCached(request.promptId(), List.of(node.id), System.currentTimeMillis()));
        reportUi(node);
    }

    /** Caller holds the lock. */
    private void wakeWaitersAndDropInputs(ExecNode node) {
        for (ExecNode waiter : node.waiters) {
            if (--waiter.pendingDependencies == 0
                    && (waiter.state == ExecNode.State.WAITING || waiter.state == ExecNode.State.EXPANDED)) {
                markReady(waiter);
            }
        }
        node.waiters.clear();
        dropInputs(node);
        releaseIfUnheld(node);
    }

    /** Counts {@code node} as a holder of every node it links to. Caller holds the lock or is preparing. */
    private void holdInputs(ExecNode node) {
        for (InputValue.Link link : node.links.values()) {
            hold(nodes.get(link.nodeId()), node);
        }
    }

    private static void hold(ExecNode producer, ExecNode consumer) {
        if (producer.released) {
            throw new IllegalStateException("node " + consumer + " links to node " + producer
                    + ", whose outputs were already released; an expansion may only link to nodes that the "
                    + "expanding node itself links to");
        }
        producer.holders++;
    }

    /** {@code node} no longer needs its inputs. Caller holds the lock. */
    private void dropInputs(ExecNode node) {
        for (InputValue.Link link : node.links.values()) {
            drop(nodes.get(link.nodeId()));
        }
    }

    private void drop(ExecNode producer) {
        producer.holders--;
        releaseIfUnheld(producer);
    }

    /** Releases the run's references to a done node's outputs once nothing in the run needs them. */
    private void releaseIfUnheld(ExecNode node) {
        if (node.holders > 0 || !node.complete() || node.released) {
            return;
        }
        node.released = true;
        if (node.lease != null) {
            core.cache().release(node.key, node.lease);
            node.lease = null;
        } else if (node.outputs != null) {
            node.outputs.forEach(NodeInvoker::releaseAll);
        }
        node.outputs = null;
    }

    private void reportUi(ExecNode node) {
        if (!node.ui.isEmpty()) {
            synchronized (uiOutputs) {
                uiOutputs.put(node.id, node.ui);
            }
            emit(new RunEvent.Executed(request.promptId(), node.id, node.displayId, node.ui));
        }
    }

    private static boolean containsBlocker(List<List<Object>> outputs) {
        return outputs.stream().flatMap(List::stream).anyMatch(v -> v instanceof ExecutionBlocker);
    }

    // ---- inputs ----

    private Map<String, List<Object>> inputLists(ExecNode node) {
        Map<String, List<Object>> inputs = new LinkedHashMap<>();
        node.literals.forEach((name, value) -> inputs.put(name, List.of(value)));
        lock.lock();
        try {
            for (Map.Entry<String, InputValue.Link> e : node.links.entrySet()) {
                InputValue.Link link = e.getValue();
                if (node.isRawLink(e.getKey())) {
                    inputs.put(e.getKey(), List.of(new OutputRef(link.nodeId(), link.slot())));
                    continue;
                }
                ExecNode up = nodes.get(link.nodeId());
                if (up.complete()) {
                    inputs.put(e.getKey(), up.outputs.get(link.slot()));
                }
            }
        } finally {
            lock.unlock();
        }
        node.type.schema().hiddenInputs().forEach((name, kind) -> {
            Object value = hiddenValue(node, kind);
            if (value != null) {
                inputs.put(name, List.of(value));
            }
        });
        return inputs;
    }

    private Object hiddenValue(ExecNode node, HiddenInput kind) {
        return switch (kind) {
            case PROMPT -> prompt();
            case DYNPROMPT -> dynamicPrompt();
            case EXTRA_PNGINFO -> request.extraData().get("extra_pnginfo");
            case UNIQUE_ID -> node.id;
            case AUTH_TOKEN_COMFY_ORG -> request.extraData().get("auth_token_comfy_org");
            case API_KEY_COMFY_ORG -> request.extraData().get("api_key_comfy_org");
        };
    }

    private synchronized Map<String, Object> prompt() {
        if (plainPrompt == null) {
            plainPrompt = request.workflow().source().toPlainMap();
        }
        return plainPrompt;
    }

    private Map<String, Object> dynamicPrompt() {
        lock.lock();
        try {
            return combinedWorkflow().toPlainMap();
        } finally {
            lock.unlock();
        }
    }

    private static boolean hasLazyInputs(ExecNode node) {
        return node.type.schema().inputs().stream().anyMatch(spec -> spec.lazy());
    }

    /**
     * Asks the node which lazy inputs it needs; schedules those not yet evaluated. True when the node must wait.
     */
    private boolean waitForLazyInputs(ExecNode node, Map<String, List<Object>> inputs) throws Exception {
        List<Map<String, Object>> calls = node.type.schema().inputIsList()
                ? List.of(new LinkedHashMap<>(inputs)) : NodeInvoker.slice(inputs);
        Map<String, Object> first = calls.isEmpty() ? Map.of() : calls.get(0);
        List<String> needed = node.type.node().lazyInputsNeeded(NodeInputs.of(first), new Context(node, 0));
        lock.lock();
        try {
            boolean wait = false;
            for (String name : needed) {
                InputValue.Link link = node.links.get(name);
                if (link == null || !node.isLazy(name)) {
                    continue;
                }
                node.requestedLazy.add(name);
                ExecNode up = nodes.get(link.nodeId());
                if (!up.complete()) {
                    wait = true;
                    if (waitFor(node, up)) {
                        activate(up);
                    }
                }
            }
            if (wait) {
                node.state = ExecNode.State.WAITING;
            }
            return wait;
        } finally {
            lock.unlock();
        }
    }

    // ---- node expansion ----

    /**
     * Adds the subgraphs the node expanded into and makes the node wait for the nodes its results link to (and the
     * subgraph's output nodes); {@link #finishExpansion} then resolves its outputs.
     */
    private void expand(ExecNode parent, NodeInvoker.Result result) {
        lock.lock();
        try {
            List<String> added = new ArrayList<>();
            for (Subgraph graph : result.expansions()) {
                for (Subgraph.Entry entry : graph.nodes().values()) {
                    if (nodes.containsKey(entry.id()) || ephemeral.containsKey(entry.id())
                            || request.workflow().source().contains(entry.id())) {
                        throw new IllegalStateException("expansion node id '" + entry.id() + "' is already in use");
                    }
                    ephemeral.put(entry.id(), toWorkflowNode(entry));
                    added.add(entry.id());
                }
            }
            Workflow combined = combinedWorkflow();
            var checks = new WorkflowValidator(core.registry()).checkNodes(combined, added);
            List<String> problems = new ArrayList<>();
            checks.forEach((id, check) -> check.errors().forEach(e -> problems.add(id + ": " + e)));
            if (!problems.isEmpty()) {
                throw new IllegalStateException("the expanded subgraph is invalid: " + String.join("; ", problems));
            }
            Map<String, ValidatedNode> validated = new LinkedHashMap<>();
            added.forEach(id -> validated.put(id, checks.get(id).node()));
            for (ValidatedNode v : topologicalOrder(validated)) {
                ExecNode node = new ExecNode(v.id(), parent.displayId, v.type(), v.literals(), v.links(), nextOrder++);
                nodes.put(node.id, node);
                holdInputs(node); // its key and any cache hit are resolved when it becomes ready
            }
            parent.state = ExecNode.State.EXPANDED;
            parent.expansions = result.expansions();
            parent.pendingExpansionValues = result.expansionValues();
            parent.pendingDependencies = 0;
            for (List<Object> values : result.expansionValues()) {
                for (Object value : values) {
                    if (value instanceof OutputRef ref) {
                        ExecNode target = nodes.get(ref.nodeId());
                        if (target == null) {
                            throw new IllegalStateException("expansion result links to unknown node '" + ref.nodeId() + "'");
                        }
                        hold(target, parent);
                        if (waitFor(parent, target)) {
                            activate(target);
                        }
                    }
                }
            }
            for (String id : added) {
                ExecNode node = nodes.get(id);
                if (node.type.schema().outputNode() && waitFor(parent, node)) {
                    activate(node);
                }
            }
            if (parent.pendingDependencies == 0) {
                markReady(parent);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Resolves an expanded node's outputs from its subgraph's results. */
    private void finishExpansion(ExecNode parent) {
        var specs = parent.type.schema().outputs();
        List<List<Object>> outputs = new ArrayList<>();
        for (int s = 0; s < specs.size(); s++) {
            outputs.add(new ArrayList<>());
        }
        lock.lock();
        try {
            for (List<Object> values : parent.pendingExpansionValues) {
                for (int s = 0; s < specs.size(); s++) {
                    Object value = values.get(s);
                    if (value instanceof OutputRef ref) {
                        for (Object item : nodes.get(ref.nodeId()).outputs.get(ref.slot())) {
                            if (item instanceof dev.easel.node.RefCounted rc) {
                                rc.retain(); // the parent's slot is one more owner
                            }
                            outputs.get(s).add(item);
                        }
                    } else if (specs.get(s).isList() && value instanceof List<?> list) {
                        outputs.get(s).addAll(list);
                    } else {
                        outputs.get(s).add(value);
                    }
                }
            }
            for (List<Object> values : parent.pendingExpansionValues) {
                for (Object value : values) {
                    if (value instanceof OutputRef ref) {
                        drop(nodes.get(ref.nodeId()));
                    }
                }
            }
            parent.pendingExpansionValues = null;
        } finally {
            lock.unlock();
        }
        complete(parent, outputs);
    }

    private static WorkflowNode toWorkflowNode(Subgraph.Entry entry) {
        Map<String, InputValue> inputs = new LinkedHashMap<>();
        entry.inputs().forEach((name, value) -> inputs.put(name, value instanceof OutputRef ref
                ? new InputValue.Link(ref.nodeId(), ref.slot()) : new InputValue.Literal(value)));
        return new WorkflowNode(entry.id(), entry.classType(), inputs, null);
    }

    /** The submitted workflow plus every node added by expansion so far. Caller holds the lock. */
    private Workflow combinedWorkflow() {
        if (ephemeral.isEmpty()) {
            return request.workflow().source();
        }
        Map<String, WorkflowNode> all = new LinkedHashMap<>();
        request.workflow().source().nodes().forEach(n -> all.put(n.id(), n));
        all.putAll(ephemeral);
        return new Workflow(all);
    }

    // ---- ending ----

    private void checkTargetsDone() {
        lock.lock();
        try {
            for (String target : request.workflow().targets()) {
                ExecNode node = nodes.get(target);
                if (!node.complete()) {
                    fail(errorEvent(node, new IllegalStateException(
                            "node " + node + " could not run: its inputs wait on each other (a dependency cycle)")));
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Drops the references the run still holds when it ends (all of them after an error or interruption). */
    private void releaseAll() {
        lock.lock();
        try {
            for (ExecNode node : nodes.values()) {
                node.holders = 0;
                releaseIfUnheld(node);
                if (node.lease != null) { // a cached node the run never reached
                    core.cache().release(node.key, node.lease);
                    node.lease = null;
                }
                if (node.pendingExpansionValues != null) {
                    var specs = node.type.schema().outputs();
                    for (List<Object> values : node.pendingExpansionValues) {
                        for (int s = 0; s < values.size(); s++) {
                            NodeInvoker.release(values.get(s), specs.get(s).isList());
                        }
                    }
                    node.pendingExpansionValues = null;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- events ----

    private void emit(RunEvent event) {
        synchronized (listener) {
            listener.onEvent(event);
        }
    }

    private RunEvent errorEvent(ExecNode node, Throwable error) {
        List<String> trace = new ArrayList<>();
        trace.add(error.toString());
        StackTraceElement[] frames = error.getStackTrace();
        for (int i = 0; i < Math.min(frames.length, 40); i++) {
            trace.add("  at " + frames[i]);
        }
        Map<String, List<String>> currentInputs = new LinkedHashMap<>();
        if (node != null) {
            node.literals.forEach((name, value) -> currentInputs.put(name, List.of(brief(value))));
            node.links.forEach((name, link) -> {
                ExecNode up = nodes.get(link.nodeId());
                List<Object> values = up != null && up.outputs != null ? up.outputs.get(link.slot()) : List.of();
                currentInputs.put(name, values.stream().limit(8).map(Run::brief).toList());
            });
        }
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        if (node != null) {
            message += " [pack " + node.type.packId() + "]"; // which pack's node failed, for packs loaded as plugins
        }
        return new RunEvent.ExecutionError(request.promptId(), node == null ? null : node.id,
                node == null ? null : node.type.name(), List.copyOf(executed), message, error.getClass().getName(),
                trace, currentInputs, currentOutputIds(), System.currentTimeMillis());
    }

    private RunEvent blockedEvent(ExecNode node, String message) {
        return new RunEvent.ExecutionError(request.promptId(), node.id, node.type.name(), List.copyOf(executed),
                message, "ExecutionBlocked", List.of(), Map.of(), currentOutputIds(), System.currentTimeMillis());
    }

    private RunEvent interruptedEvent(ExecNode node) {
        return new RunEvent.ExecutionInterrupted(request.promptId(), node == null ? null : node.id,
                node == null ? null : node.type.name(), List.copyOf(executed), System.currentTimeMillis());
    }

    private List<String> currentOutputIds() {
        List<String> ids = new ArrayList<>(cachedIds);
        ids.addAll(executed);
        return ids;
    }

    private static String brief(Object value) {
        String text = String.valueOf(value);
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    /** The context of one call of one node. */
    private final class Context implements dev.easel.node.NodeContext {
        private final ExecNode node;
        private final int call;
        private int graphs;

        Context(ExecNode node, int call) {
            this.node = node;
            this.call = call;
        }

        @Override
        public String nodeId() {
            return node.id;
        }

        @Override
        public String displayNodeId() {
            return node.displayId;
        }

        @Override
        public String promptId() {
            return request.promptId();
        }

        @Override
        public void progress(long value, long max) {
            progress(value, max, null);
        }

        @Override
        public void progress(long value, long max, dev.easel.node.Preview preview) {
            checkCancelled();
            emit(new RunEvent.Progress(request.promptId(), node.id, value, max, preview));
        }

        @Override
        public boolean isCancelled() {
            return token.isCancelled() || aborting;
        }

        @Override
        public void checkCancelled() {
            if (isCancelled()) {
                throw new CancelledException("run " + request.promptId() + " was cancelled");
            }
        }

        @Override
        public System.Logger logger() {
            return System.getLogger("easel.node." + node.type.name());
        }

        @Override
        public dev.easel.node.RuntimeInfo runtime() {
            return core.runtime();
        }

        @Override
        public dev.easel.node.Folders folders() {
            return core.folders();
        }

        @Override
        public dev.easel.node.OutputJournal outputJournal() {
            return request.journal();
        }

        @Override
        public Subgraph newSubgraph() {
            return new Subgraph(node.id + "." + call + "." + (graphs++) + ".");
        }
    }
}
