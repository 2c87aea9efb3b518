package dev.easel.launcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.caching.PersistableFactories;
import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.event.RunEvent;
import dev.easel.engine.exec.CancellationToken;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.exec.EngineSettings;
import dev.easel.engine.exec.RunRequest;
import dev.easel.engine.exec.RunResult;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.registry.RegisteredNode;
import dev.easel.engine.validation.NodeErrors;
import dev.easel.engine.validation.ValidationError;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
import dev.easel.engine.validation.WorkflowValidator;
import dev.easel.engine.workflow.Workflow;
import dev.easel.engine.workflow.WorkflowNode;
import dev.easel.engine.workflow.WorkflowParseException;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.engine.workflow.ui.UiWorkflowConverter;
import dev.easel.engine.workflow.ui.UiWorkflowException;
import dev.easel.node.InputSpec;
import dev.easel.node.RuntimeInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code easel run WORKFLOW.json}: validate and run a workflow (API format, or the UI format the editor saves, converted
 * by {@link UiWorkflowConverter}), then say where its outputs went.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = EaselCli.Version.class,
        description = {"Runs a workflow, in API format (what ComfyUI's editor exports with Export (API)) or as the "
                + "editor saves it (UI format), and prints where its outputs went.",
                "Progress goes to stderr, the list of outputs to stdout."},
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.USAGE,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:usage or I/O error (missing file, not JSON, not a workflow, bad --set)",
                "2:the workflow failed validation (each node error is printed)",
                "3:a node failed while running (node, exception and traceback are printed)",
                "130:interrupted (Ctrl-C stops the run at the next step boundary)"})
final class RunCommand implements Callable<Integer> {

    /** How long Ctrl-C waits for the run to reach a step boundary and report before the JVM exits anyway. */
    private static final long INTERRUPT_GRACE_SECONDS = 10;
    private static final int TRACEBACK_LINES = 8;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "WORKFLOW.json",
            description = "The workflow, in API or UI format (default: the default text-to-image workflow, "
                    + "workflows/" + Distribution.DEFAULT_WORKFLOW + ", on Easel's own model).")
    Path workflowFile;

    @Option(names = "--set", paramLabel = "NODE.INPUT=VALUE",
            description = {"Replaces one input before validation (repeatable). The key is split at its last dot, so "
                    + "node ids may contain dots. VALUE is JSON when it parses (5, 1.5, true, \"text\", [\"4\", 0] "
                    + "for a link), a plain string otherwise.",
                    "Example: --set 3.seed=42 --set '6.text=a red fox'"})
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Where output nodes write (default: <data-dir>/output).")
    Path out;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "The data folder with input/, output/ and temp/ (default: ./${DEFAULT-VALUE}); temp/ is "
                    + "emptied at start.")
    Path dataDir;

    @Option(names = "--extra-model-paths", paramLabel = "FILE",
            description = "Also use the model folders of this extra_model_paths.yaml (ComfyUI's format; repeatable). "
                    + "<data-dir>/extra_model_paths.yaml is read when it exists.")
    List<Path> extraModelPaths = new ArrayList<>();

    @Option(names = "--sequential", description = "Run one node at a time (default: independent branches in parallel).")
    boolean sequential;

    @Option(names = "--no-cache", description = "Do not use or fill the disk cache of intermediate results "
            + "(<data-dir>/cache). With it, a re-run only recomputes what changed.")
    boolean noCache;

    @Option(names = "--cache-gib", paramLabel = "GIB", defaultValue = "8",
            description = "Disk cache budget in GiB (default: ${DEFAULT-VALUE}).")
    double cacheGib;

    /** Test seam: the runtime (libtorch) and the token; production uses libtorch and a fresh token. */
    Supplier<RuntimeInfo> runtimeFactory = Runtimes::torch;
    CancellationToken token = new CancellationToken();

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        if (workflowFile == null) {
            Optional<Path> fallback = Distribution.defaultWorkflow();
            if (fallback.isEmpty()) {
                err.println("error: no WORKFLOW.json given, and this build has no default workflow (workflows/"
                        + Distribution.DEFAULT_WORKFLOW + " next to the launcher jar)");
                return ExitCodes.USAGE;
            }
            workflowFile = fallback.get();
        }
        JsonNode json;
        try {
            json = readJson(workflowFile);
        } catch (UsageError e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        // Before validation: a new data folder's input/ gets the example images the workflow may load.
        DataFolders folders = DataFolders.prepareOrReport(err, dataDir, out);
        if (folders == null) {
            return ExitCodes.USAGE;
        }
        NodeRegistry registry = Registries.load(err, dataDir, out, extraModelPaths);
        Workflow workflow;
        try {
            workflow = toWorkflow(json, workflowFile, registry);
        } catch (UsageError e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (UiWorkflowException e) {
            err.println("error: " + workflowFile + ": " + e.getMessage());
            // An unknown node type is a validation error in the API format too.
            return UiWorkflowException.MISSING_NODE_TYPE.equals(e.errorType()) ? ExitCodes.VALIDATION
                    : ExitCodes.USAGE;
        }
        List<SetOverride> overrides = new ArrayList<>();
        try {
            for (String set : sets) {
                SetOverride override = SetOverride.parse(set);
                workflow = override.applyTo(workflow);
                overrides.add(override);
            }
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        }

        String unknownInput = checkOverrideInputs(overrides, workflow, registry);
        if (unknownInput != null) {
            err.println("error: " + unknownInput);
            return ExitCodes.USAGE;
        }

        ValidationResult validation = new WorkflowValidator(registry).validate(workflow, ValidationOptions.STRICT);
        if (!validation.isValid()) {
            printValidationErrors(validation, err);
            return ExitCodes.VALIDATION;
        }
        for (var ignored : validation.ignoredInputs().entrySet()) {
            err.println("warning: node " + ignored.getKey() + " (" + workflow.node(ignored.getKey()).classType()
                    + ") does not declare input(s) " + ignored.getValue() + "; they are ignored");
        }

        RuntimeInfo runtime;
        try {
            runtime = runtimeFactory.get();
        } catch (RuntimeException | LinkageError e) {
            err.println("error: cannot start the runtime (libtorch): " + e.getMessage());
            return ExitCodes.USAGE;
        }

        // Output nodes always run on the command line, so every run writes its files; what feeds them may be cached.
        EngineSettings settings = (sequential ? EngineSettings.sequential() : EngineSettings.defaults())
                .withReuseOutputNodes(false);
        var validated = validation.workflow();
        ProgressReporter progress = new ProgressReporter(err, ProgressReporter.stderrIsTerminal() && isSystemErr(),
                workflow, validated.nodes().size());
        CountDownLatch reported = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            token.cancel();
            err.println();
            err.println("interrupt: stopping at the next step boundary…");
            err.flush();
            try {
                reported.await(INTERRUPT_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "easel-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        long start = System.nanoTime();
        try (OutputCache cache = noCache ? OutputCache.NONE : Caches.open(dataDir, cacheGib, err,
                PackFactories.addFrom(registry, PersistableFactories.fromClassPath()));
             Engine engine = new Engine(registry, cache, runtime, folders, settings)) {
            RunResult result = engine.run(new RunRequest(UUID.randomUUID().toString(), validated, Map.of()),
                    progress, token);
            progress.finish();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!result.cached().isEmpty()) {
                err.println("cache: " + result.cached().size() + " node(s) served from " + dataDir.resolve("cache"));
            }
            return report(result, workflow, folders, seconds, progress.nodesStarted(), stdout, err);
        } finally {
            stdout.flush();
            err.flush();
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and lets the JVM exit with 130 once it returns.
            }
        }
    }

    /** Only the real stderr can be a terminal; tests hand picocli their own writer. */
    private boolean isSystemErr() {
        return spec.commandLine().getErr() == EaselCli.SYSTEM_ERR;
    }

    static JsonNode readJson(Path file) throws UsageError {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UsageError("no such file: " + file.toAbsolutePath());
        } catch (IOException e) {
            throw new UsageError("cannot read " + file + ": " + e.getMessage());
        }
        JsonNode json;
        try {
            json = WorkflowParser.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new UsageError(file + " is not valid JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        return json;
    }

    /** The workflow of {@code json}: API format as it is, UI format (what the editor saves) converted first. */
    static Workflow toWorkflow(JsonNode json, Path file, NodeRegistry registry)
            throws UsageError, UiWorkflowException {
        if (UiWorkflowConverter.isUiWorkflow(json)) {
            json = new UiWorkflowConverter(registry).toApiPrompt(json);
        }
        try {
            return WorkflowParser.fromJson(json);
        } catch (WorkflowParseException e) {
            throw new UsageError(file + " is not an API-format workflow: " + e.getMessage());
        }
    }

    /** The validator ignores unknown inputs; a --set that names one is a typo worth stopping for. */
    private static String checkOverrideInputs(List<SetOverride> overrides, Workflow workflow, NodeRegistry registry) {
        for (SetOverride o : overrides) {
            WorkflowNode node = workflow.node(o.nodeId());
            RegisteredNode type = registry.find(node.classType()).orElse(null);
            if (type != null && type.schema().input(o.inputName()).isEmpty()) {
                return "--set " + o.nodeId() + "." + o.inputName() + ": node " + o.nodeId() + " (" + node.classType()
                        + ") has no input '" + o.inputName() + "' (its inputs are "
                        + type.schema().inputs().stream().map(InputSpec::name).collect(Collectors.joining(", ")) + ")";
            }
        }
        return null;
    }

    static void printValidationErrors(ValidationResult result, PrintWriter err) {
        ValidationError top = result.error();
        err.println("error: " + top.message());
        if (result.nodeErrors().isEmpty() && top.details() != null && !top.details().isBlank()) {
            err.println("  " + top.details());
        }
        for (Map.Entry<String, NodeErrors> e : result.nodeErrors().entrySet()) {
            String where = "node " + e.getKey() + " (" + e.getValue().classType() + ")";
            for (ValidationError error : e.getValue().errors()) {
                String input = error.inputName() == null ? "" : " input '" + error.inputName() + "'";
                String details = error.details() == null || error.details().isBlank() ? "" : ": " + error.details();
                err.println(where + input + ": " + error.message() + details);
            }
        }
        err.flush();
    }

    private static int report(RunResult result, Workflow workflow, DataFolders folders, double seconds, int nodes,
                              PrintWriter stdout, PrintWriter err) {
        String time = String.format(Locale.ROOT, "%.2f s", seconds);
        switch (result.status()) {
            case SUCCESS -> {
                err.println("Done: " + nodes + " node" + (nodes == 1 ? "" : "s") + " in " + time + ".");
                printOutputs(result, workflow, folders, stdout);
                return ExitCodes.SUCCESS;
            }
            case INTERRUPTED -> {
                RunEvent.ExecutionInterrupted stop = (RunEvent.ExecutionInterrupted) result.failure();
                err.println("Interrupted" + (stop.nodeId() == null ? "" : " at node " + stop.nodeId() + " ("
                        + stop.nodeType() + ")") + " after " + time + ".");
                printOutputs(result, workflow, folders, stdout);
                return ExitCodes.INTERRUPTED;
            }
            default -> {
                RunEvent.ExecutionError error = (RunEvent.ExecutionError) result.failure();
                err.println("error: node " + error.nodeId() + " (" + error.nodeType() + ") failed: "
                        + error.exceptionType() + ": " + error.exceptionMessage());
                List<String> trace = error.traceback();
                int from = !trace.isEmpty() && !trace.get(0).startsWith(" ") ? 1 : 0; // line 0 repeats the message
                trace.stream().skip(from).limit(TRACEBACK_LINES).forEach(line -> err.println("  " + line.strip()));
                if (trace.size() - from > TRACEBACK_LINES) {
                    err.println("  … " + (trace.size() - from - TRACEBACK_LINES) + " more");
                }
                printOutputs(result, workflow, folders, stdout);
                return ExitCodes.EXECUTION;
            }
        }
    }

    /** Every file and text of the output nodes' UI results, files as absolute paths. */
    private static void printOutputs(RunResult result, Workflow workflow, DataFolders folders, PrintWriter out) {
        List<String> ids = new ArrayList<>(result.outputs().keySet());
        List<String> order = new ArrayList<>(workflow.ids());
        ids.sort((a, b) -> Integer.compare(rank(order, a), rank(order, b)));
        for (String id : ids) {
            WorkflowNode node = workflow.node(id);
            out.println("node " + id + (node == null ? "" : " (" + node.classType() + ")") + ":");
            for (Map.Entry<String, List<Object>> entry : result.outputs().get(id).entrySet()) {
                for (Object item : entry.getValue()) {
                    out.println("  " + describe(entry.getKey(), item, folders));
                }
            }
        }
        out.flush();
    }

    private static int rank(List<String> order, String id) {
        int i = order.indexOf(id);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    private static String describe(String key, Object item, DataFolders folders) {
        if (item instanceof Map<?, ?> map && map.get("filename") instanceof String filename) {
            Path base = folders.forType(map.get("type") instanceof String t ? t : "output");
            if (base == null) {
                base = folders.output();
            }
            Object sub = map.get("subfolder");
            Path dir = sub instanceof String s && !s.isEmpty() ? base.resolve(s) : base;
            return dir.resolve(filename).toAbsolutePath().normalize().toString();
        }
        String text = String.valueOf(item);
        return key + ": " + text.replace("\n", "\n" + " ".repeat(key.length() + 4));
    }

    /** A problem with the command line or the workflow file (exit code 1). */
    static final class UsageError extends Exception {
        UsageError(String message) {
            super(message);
        }
    }
}
