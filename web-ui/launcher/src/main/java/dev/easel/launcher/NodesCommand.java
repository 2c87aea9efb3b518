package dev.easel.launcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.registry.RegisteredNode;
import dev.easel.engine.schema.ObjectInfo;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.node.InputSpec;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code easel nodes [--json] [NAME]}: the node types this installation can run. */
@Command(name = "nodes",
        mixinStandardHelpOptions = true,
        versionProvider = EaselCli.Version.class,
        description = {"Lists the node types: category, display name, inputs (type, default, min/max, choices) and "
                + "outputs.", "With NAME, only that node (or the nodes whose name contains NAME)."},
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.USAGE,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:usage error, or no node matches NAME"})
final class NodesCommand implements Callable<Integer> {

    private static final int MAX_LISTED_CHOICES = 20;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print ComfyUI's object_info JSON instead (GET /object_info).")
    boolean json;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "The data folder whose models/ and input/ fill the choices (default: ./${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--extra-model-paths", paramLabel = "FILE",
            description = "Also list the model folders of this extra_model_paths.yaml (repeatable).")
    List<Path> extraModelPaths = new java.util.ArrayList<>();

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "A node class name (class_type).")
    String name;

    @Override
    public Integer call() throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NodeRegistry registry = Registries.load(err, dataDir, null, extraModelPaths);
        List<RegisteredNode> nodes = select(registry);
        if (nodes.isEmpty() && name == null) {
            err.println("No node types are registered (the core pack is the plugin folder plugins/easel-core next to the launcher jar).");
            return ExitCodes.SUCCESS;
        }
        if (nodes.isEmpty()) {
            err.println("error: no node type matches '" + name + "' (" + registry.all().size()
                    + " are registered; `easel nodes` lists them)");
            return ExitCodes.USAGE;
        }
        if (json) {
            Map<String, Object> info = new LinkedHashMap<>();
            nodes.forEach(n -> info.put(n.name(), ObjectInfo.render(n)));
            out.println(WorkflowParser.mapper().writer().with(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(info));
        } else {
            nodes.sort(Comparator.comparing((RegisteredNode n) -> n.schema().category())
                    .thenComparing(RegisteredNode::name));
            for (int i = 0; i < nodes.size(); i++) {
                if (i > 0) {
                    out.println();
                }
                describe(nodes.get(i), out);
            }
        }
        out.flush();
        return ExitCodes.SUCCESS;
    }

    /** All nodes without NAME; else the exact match, else the case-insensitive substring matches. */
    private List<RegisteredNode> select(NodeRegistry registry) {
        if (name == null) {
            return new ArrayList<>(registry.all());
        }
        var exact = registry.find(name);
        if (exact.isPresent()) {
            return new ArrayList<>(List.of(exact.get()));
        }
        String needle = name.toLowerCase(Locale.ROOT);
        return registry.all().stream()
                .filter(n -> n.name().toLowerCase(Locale.ROOT).contains(needle)
                        || n.schema().displayName().toLowerCase(Locale.ROOT).contains(needle))
                .collect(Collectors.toCollection(ArrayList::new));
    }

    static void describe(RegisteredNode node, PrintWriter out) {
        NodeSchema s = node.schema();
        StringBuilder head = new StringBuilder(s.name());
        if (!s.displayName().equals(s.name())) {
            head.append(" (").append(s.displayName()).append(')');
        }
        head.append("  [").append(s.category()).append(']');
        if (s.outputNode()) {
            head.append("  output node");
        }
        if (s.deprecated()) {
            head.append("  deprecated");
        }
        if (s.experimental()) {
            head.append("  experimental");
        }
        head.append("  (pack ").append(node.packId()).append(')');
        out.println(head);
        if (s.description() != null && !s.description().isBlank()) {
            out.println("  " + s.description().strip().replace("\n", "\n  "));
        }
        List<InputSpec> inputs = s.inputs();
        if (inputs.isEmpty() && s.hiddenInputs().isEmpty()) {
            out.println("  inputs: none");
        } else {
            out.println("  inputs:");
            int width = Math.max(inputs.stream().mapToInt(in -> in.name().length()).max().orElse(0),
                    s.hiddenInputs().keySet().stream().mapToInt(String::length).max().orElse(0));
            for (InputSpec in : inputs) {
                out.println("    " + pad(in.name(), width) + "  " + describe(in, s.isRequired(in.name())));
            }
            s.hiddenInputs().forEach((hiddenName, kind) -> out.println("    " + pad(hiddenName, width)
                    + "  hidden (" + kind + ")"));
        }
        out.println("  outputs: " + (s.outputs().isEmpty() ? "none" : s.outputs().stream()
                .map(NodesCommand::describe).collect(Collectors.joining(", "))));
    }

    private static String describe(InputSpec in, boolean required) {
        List<String> parts = new ArrayList<>();
        if (in.isCombo()) {
            List<String> choices = in.comboOptions();
            String listed = choices.stream().limit(MAX_LISTED_CHOICES).collect(Collectors.joining(", "));
            parts.add("COMBO [" + listed + (choices.size() > MAX_LISTED_CHOICES
                    ? ", … " + (choices.size() - MAX_LISTED_CHOICES) + " more" : "") + "]");
        } else {
            parts.add(in.type() + (in.isWidget() || InputSpec.ANY.equals(in.type()) ? "" : " (link)"));
        }
        if (in.defaultValue() != null) {
            parts.add("default " + literal(in.defaultValue()));
        }
        if (in.min() != null) {
            parts.add("min " + in.min());
        }
        if (in.max() != null) {
            parts.add("max " + in.max());
        }
        if (in.options().get("step") != null) {
            parts.add("step " + in.options().get("step"));
        }
        if (!required) {
            parts.add("optional");
        }
        if (in.lazy()) {
            parts.add("lazy");
        }
        return String.join(", ", parts);
    }

    private static String describe(OutputSpec out) {
        String text = out.name().equals(out.type()) ? out.type() : out.name() + " " + out.type();
        return out.isList() ? text + " (list)" : text;
    }

    private static String literal(Object value) {
        if (value instanceof String s) {
            String oneLine = s.replace("\n", "\\n");
            return "\"" + (oneLine.length() > 60 ? oneLine.substring(0, 60) + "…" : oneLine) + "\"";
        }
        return String.valueOf(value);
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }
}
