package dev.easel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.event.RunEvent;
import dev.easel.engine.exec.CancellationToken;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.exec.RunRequest;
import dev.easel.engine.exec.RunResult;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
import dev.easel.engine.workflow.Workflow;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.server.events.EventHub;
import dev.easel.server.events.JobEventLog;
import dev.easel.server.recovery.StoredOutputJournal;
import dev.easel.server.store.JobStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one worker that runs queued jobs, as ComfyUI's prompt worker does: claims the next job from the store, runs it
 * on the engine, forwards its events to the WebSocket clients, writes its history entry, then sends the final
 * {@code executing} with {@code node: null} and the new queue status. A job whose workflow no longer validates (a
 * model file removed meanwhile) ends as an execution error; nothing a job does stops the worker.
 */
public final class JobRunner implements AutoCloseable {

    /** Lifecycle messages kept in the history entry's status. */
    private static final Set<String> HISTORY_MESSAGES = Set.of("execution_start", "execution_cached",
            "execution_success", "execution_error", "execution_interrupted");

    private final Engine engine;
    private final JobStore store;
    private final EventHub hub;
    private final ObjectMapper json;
    private final Thread thread;
    private final Object signal = new Object();
    private volatile boolean stopping;
    private volatile Running current;
    private volatile Runnable betweenJobs = () -> { };

    private record Running(String promptId, CancellationToken token) {
    }

    public JobRunner(Engine engine, JobStore store, EventHub hub, ObjectMapper json) {
        this.engine = engine;
        this.store = store;
        this.hub = hub;
        this.json = json;
        this.thread = new Thread(this::loop, "easel-job-runner");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Wakes the worker after a job was queued. */
    public void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /**
     * Runs {@code hook} on the worker between jobs: before each claim, so after the running job has finished and
     * while the worker is idle (within its wait, or at once after {@link #wake}). {@code /free} uses it.
     */
    public void betweenJobs(Runnable hook) {
        this.betweenJobs = hook;
    }

    /** Pending plus running jobs (ComfyUI's {@code queue_remaining}). */
    public int queueRemaining() {
        return store.pending().size() + (store.running().isPresent() ? 1 : 0);
    }

    /** Interrupts the running job: any (null) or only {@code promptId}. Returns whether a job was interrupted. */
    public boolean interrupt(String promptId) {
        Running r = current;
        if (r == null || (promptId != null && !promptId.equals(r.promptId()))) {
            return false;
        }
        r.token().cancel();
        return true;
    }

    private void loop() {
        while (!stopping) {
            try {
                betweenJobs.run();
            } catch (RuntimeException e) {
                System.getLogger("easel.server").log(System.Logger.Level.ERROR, "the between-jobs hook failed", e);
            }
            Optional<JobStore.Job> job;
            try {
                job = store.claimNext();
            } catch (RuntimeException e) {
                System.getLogger("easel.server").log(System.Logger.Level.ERROR, "cannot read the job store", e);
                job = Optional.empty();
            }
            if (job.isEmpty()) {
                synchronized (signal) {
                    try {
                        signal.wait(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                continue;
            }
            hub.broadcastStatus(queueRemaining());
            runOne(job.get());
        }
    }

    private void runOne(JobStore.Job job) {
        CancellationToken token = new CancellationToken();
        current = new Running(job.promptId(), token);
        JobEventLog events = hub.startJob(job.promptId(), job.clientId());
        List<List<Object>> messages = new ArrayList<>();
        RunResult result = null;
        String failure = null;
        try {
            Workflow workflow = WorkflowParser.parse(job.promptJson());
            ValidationResult validation = engine.validate(workflow,
                    ValidationOptions.STRICT.withPartialTargets(job.outputsToExecute()));
            if (!validation.isValid()) {
                failure = "the workflow no longer validates: " + json.writeValueAsString(validation.toJson());
            } else {
                Map<String, Object> extraData = json.readValue(job.extraDataJson(), Map.class);
                // A second attempt re-runs its output nodes: the first attempt's files were rolled back, and a
                // write-through cache may hold that attempt's output node results.
                RunRequest request = new RunRequest(job.promptId(), validation.workflow(), extraData,
                        new StoredOutputJournal(store, job.promptId()), store.attempts(job.promptId()) > 1);
                result = engine.run(request,
                        event -> forward(event, events, messages), token);
            }
        } catch (Exception e) {
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            current = null;
        }
        if (stopping && result != null && result.status() == RunResult.Status.INTERRUPTED) {
            return; // stopped by a shutdown, not by a user: it stays running in the store and is recovered at start
        }
        if (failure != null) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("prompt_id", job.promptId());
            data.put("exception_message", failure);
            data.put("exception_type", "ServerError");
            data.put("timestamp", System.currentTimeMillis());
            messages.add(List.of("execution_error", data));
            hub.publish(events, "execution_error", data, null);
        }
        try {
            store.finish(job.promptId(), historyJson(job, result, messages), System.currentTimeMillis());
        } catch (Exception e) {
            System.getLogger("easel.server").log(System.Logger.Level.ERROR,
                    "cannot write the history of " + job.promptId(), e);
        }
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("node", null);
        done.put("prompt_id", job.promptId());
        hub.publish(events, "executing", done, null);
        hub.broadcastStatus(queueRemaining());
    }

    /** Logs the event in the job's event log, which routes it to the clients (EventHub, api-contract §3.2). */
    private void forward(RunEvent event, JobEventLog events, List<List<Object>> messages) {
        if (HISTORY_MESSAGES.contains(event.type())) {
            messages.add(List.of(event.type(), event.data()));
        }
        hub.publish(events, event.type(), event.data(),
                event instanceof RunEvent.Progress p ? p.preview() : null);
    }

    private String historyJson(JobStore.Job job, RunResult result, List<List<Object>> messages) throws Exception {
        Map<String, Object> entry = new LinkedHashMap<>();
        JsonNode prompt = json.readTree(job.promptJson());
        entry.put("prompt", List.of(job.number(), job.promptId(), prompt, json.readTree(job.extraDataJson()),
                job.outputsToExecute()));
        Map<String, ?> outputs = result == null ? Map.of() : result.outputs();
        entry.put("outputs", outputs);
        boolean success = result != null && result.succeeded();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("status_str", success ? "success" : "error");
        status.put("completed", success);
        status.put("messages", messages);
        entry.put("status", status);
        Map<String, Object> meta = new LinkedHashMap<>();
        for (String nodeId : outputs.keySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node_id", nodeId);
            m.put("display_node", nodeId);
            m.put("parent_node", null);
            m.put("real_node_id", nodeId);
            meta.put(nodeId, m);
        }
        entry.put("meta", meta);
        return json.writeValueAsString(entry);
    }

    @Override
    public void close() {
        stopping = true;
        interrupt(null);
        wake();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
