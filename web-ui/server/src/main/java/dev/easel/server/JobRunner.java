package dev.easel.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.easel.engine.event.RunEvent;
import dev.easel.engine.exec.CancellationToken;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.exec.RunRequest;
import dev.easel.engine.exec.RunResult;
import dev.easel.engine.validation.ValidatedNode;
import dev.easel.engine.validation.ValidatedWorkflow;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
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
 * {@code executing} with {@code node: null} and the new queue status; finishing one job and claiming the next are one
 * store step. A job runs the workflow {@code POST /prompt} validated (handed over in memory, as ComfyUI runs what it
 * validated at queue time); a job from the store alone (queued before a restart) is validated again, and one that no
 * longer validates (a model file removed meanwhile) ends as an execution error. Nothing a job does stops the worker.
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
    private boolean woken; // guarded by signal: a wake() that came while the worker was not waiting
    private final PreparedJobs prepared = new PreparedJobs();
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
            woken = true;
            signal.notifyAll();
        }
    }

    /**
     * Hands over what {@code POST /prompt} already has for a job it just queued: the validated workflow and the
     * {@code extra_data}, so that the worker need not parse and validate the stored prompt again (it does when the
     * job comes from elsewhere: a restart, another process). ComfyUI, too, runs what it validated at queue time.
     */
    public void prepared(String promptId, String promptJson, ValidatedWorkflow validated,
            Map<String, Object> extraData) {
        prepared.put(promptId, promptJson, validated, extraData);
    }

    /** Whether every node of {@code workflow} is still the very node the registry has under its name. */
    private boolean stillRegistered(ValidatedWorkflow workflow) {
        for (ValidatedNode node : workflow.nodes().values()) {
            var now = engine.registry().find(node.type().name());
            if (now.isEmpty() || now.get().node() != node.type().node()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs {@code hook} on the worker between jobs: after the running job has finished and before the next one
     * starts (which may already be claimed, in the same store step as the finish), and while the worker is idle
     * (within its wait, or at once after {@link #wake}). {@code /free} uses it.
     */
    public void betweenJobs(Runnable hook) {
        this.betweenJobs = hook;
    }

    /** Pending plus running jobs (ComfyUI's {@code queue_remaining}). */
    public int queueRemaining() {
        return store.remaining();
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
        Optional<JobStore.Job> next = Optional.empty();
        while (!stopping) {
            try {
                betweenJobs.run();
            } catch (RuntimeException e) {
                System.getLogger("easel.server").log(System.Logger.Level.ERROR, "the between-jobs hook failed", e);
            }
            Optional<JobStore.Job> job = next;
            // A job claimed together with the previous one's finish was already in that status broadcast.
            boolean announced = next.isPresent();
            next = Optional.empty();
            if (job.isEmpty()) {
                try {
                    job = store.claimNext();
                } catch (RuntimeException e) {
                    System.getLogger("easel.server").log(System.Logger.Level.ERROR, "cannot read the job store", e);
                }
            }
            if (job.isEmpty()) {
                synchronized (signal) {
                    try {
                        if (!woken) {
                            signal.wait(500);
                        }
                        woken = false;
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                continue;
            }
            if (!announced) {
                hub.broadcastStatus(queueRemaining());
            }
            next = runOne(job.get());
        }
    }

    /** Runs {@code job}, finishes it into history and returns the next job, claimed in the same store step. */
    private Optional<JobStore.Job> runOne(JobStore.Job job) {
        CancellationToken token = new CancellationToken();
        current = new Running(job.promptId(), token);
        JobEventLog events = hub.startJob(job.promptId(), job.clientId());
        List<List<Object>> messages = new ArrayList<>();
        RunResult result = null;
        String failure = null;
        try {
            PreparedJobs.Prepared ready = prepared.take(job.promptId(), job.promptJson());
            if (ready != null && !stillRegistered(ready.workflow())) {
                ready = null; // a pack was disabled or reloaded since POST /prompt: validate against what is there now
            }
            ValidatedWorkflow workflow;
            Map<String, Object> extraData;
            if (ready != null) {
                workflow = ready.workflow();
                extraData = ready.extraData();
            } else {
                ValidationResult validation = engine.validate(WorkflowParser.parse(job.promptJson()),
                        ValidationOptions.STRICT.withPartialTargets(job.outputsToExecute()));
                workflow = validation.isValid() ? validation.workflow() : null;
                if (workflow == null) {
                    failure = "the workflow no longer validates: " + json.writeValueAsString(validation.toJson());
                }
                extraData = json.readValue(job.extraDataJson(), Map.class);
            }
            if (workflow != null) {
                // A second attempt re-runs its output nodes: the first attempt's files were rolled back, and a
                // write-through cache may hold that attempt's output node results.
                RunRequest request = new RunRequest(job.promptId(), workflow, extraData,
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
            // stopped by a shutdown, not by a user: it stays running in the store and is recovered at start
            return Optional.empty();
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
        Optional<JobStore.Job> next = Optional.empty();
        try {
            String history = historyJson(job, result, messages);
            long now = System.currentTimeMillis();
            if (stopping) {
                store.finish(job.promptId(), history, now);
            } else {
                next = store.finishAndClaimNext(job.promptId(), history, now); // one commit between two jobs
            }
        } catch (Exception e) {
            System.getLogger("easel.server").log(System.Logger.Level.ERROR,
                    "cannot write the history of " + job.promptId(), e);
        }
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("node", null);
        done.put("prompt_id", job.promptId());
        hub.publish(events, "executing", done, null);
        hub.broadcastStatus(queueRemaining());
        return next;
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
        // The stored prompt and extra_data are JSON this server wrote: embedded as they are, not parsed again.
        entry.put("prompt", List.of(job.number(), job.promptId(), new RawValue(job.promptJson()),
                new RawValue(job.extraDataJson()), job.outputsToExecute()));
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
