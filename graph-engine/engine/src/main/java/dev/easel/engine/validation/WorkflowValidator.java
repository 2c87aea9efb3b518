package dev.easel.engine.validation;

import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.registry.RegisteredNode;
import dev.easel.engine.workflow.InputValue;
import dev.easel.engine.workflow.Workflow;
import dev.easel.engine.workflow.WorkflowNode;
import dev.easel.node.InputProblem;
import dev.easel.node.InputSpec;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validates a workflow before it runs, with ComfyUI's error types (api-contract §2.2, §6.2): every node class must be
 * known; the targets are the output nodes; every node they need is checked (required inputs, link shape, link target
 * and slot, link types, literal conversion, min/max, COMBO lists recomputed now, the node's own validation hook) and
 * the needed subgraph must be acyclic. Nodes not reachable from a target are ignored. All traversals are iterative,
 * so a 10,000-node chain is fine.
 */
public final class WorkflowValidator {

    private static final int MAX_LISTED_COMBO_OPTIONS = 20;

    private final NodeRegistry registry;

    public WorkflowValidator(NodeRegistry registry) {
        this.registry = registry;
    }

    public ValidationResult validate(Workflow workflow, ValidationOptions options) {
        Map<String, RegisteredNode> types = new HashMap<>();
        for (WorkflowNode node : workflow.nodes()) {
            if (node.classType() == null) {
                return ValidationResult.failed(new ValidationError("missing_node_type",
                        "Cannot execute because a node is missing the class_type property.",
                        "Node ID '#" + node.id() + "'", nodeInfo(node)), Map.of());
            }
            var type = registry.find(node.classType());
            if (type.isEmpty()) {
                return ValidationResult.failed(new ValidationError("missing_node_type",
                        "Node '" + node.displayTitle() + "' not found. The node pack that provides '"
                                + node.classType() + "' may not be installed.",
                        "Node ID '#" + node.id() + "'", nodeInfo(node)), Map.of());
            }
            types.put(node.id(), type.get());
        }

        List<String> targets = new ArrayList<>();
        for (WorkflowNode node : workflow.nodes()) {
            boolean wanted = options.partialTargets() == null || options.partialTargets().contains(node.id());
            if (wanted && types.get(node.id()).schema().outputNode()) {
                targets.add(node.id());
            }
        }
        if (targets.isEmpty()) {
            return ValidationResult.failed(new ValidationError("prompt_no_outputs", "Prompt has no outputs",
                    options.partialTargets() == null ? "The workflow has no output node."
                            : "None of the partial execution targets is an output node.", Map.of()), Map.of());
        }

        Set<String> reachable = reachableFrom(targets, workflow);
        Map<String, List<ValidationError>> errors = new LinkedHashMap<>();
        Map<String, ValidatedNode> validated = new HashMap<>();
        Map<String, List<String>> ignored = new LinkedHashMap<>();
        for (String id : reachable) {
            NodeCheck check = new NodeCheck(workflow.node(id), types.get(id), workflow, types);
            check.run();
            if (!check.ignored.isEmpty()) {
                ignored.put(id, List.copyOf(check.ignored));
            }
            if (check.errors.isEmpty()) {
                validated.put(id, check.result());
            } else {
                errors.put(id, check.errors);
            }
        }
        for (Map.Entry<String, List<String>> cycle : findCycles(reachable, workflow).entrySet()) {
            errors.computeIfAbsent(cycle.getKey(), k -> new ArrayList<>()).add(new ValidationError("dependency_cycle",
                    "Dependency cycle detected", "Node '" + cycle.getKey() + "' depends on itself through "
                            + String.join(" -> ", cycle.getValue()),
                    Map.of("node_id", cycle.getKey(), "cycle_nodes", cycle.getValue())));
            validated.remove(cycle.getKey());
        }

        Map<String, Set<String>> dependents = dependentOutputs(targets, workflow, errors.keySet());
        Map<String, NodeErrors> nodeErrors = new LinkedHashMap<>();
        for (String id : workflow.ids()) {
            if (errors.containsKey(id)) {
                List<String> outs = new ArrayList<>(dependents.getOrDefault(id, Set.of()));
                nodeErrors.put(id, new NodeErrors(types.get(id).name(), errors.get(id), outs));
            }
        }
        Set<String> failedTargets = dependents.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
        List<String> goodTargets = targets.stream().filter(t -> !failedTargets.contains(t)).toList();
        if (nodeErrors.isEmpty() || (!options.strict() && !goodTargets.isEmpty())) {
            Set<String> needed = reachableFrom(goodTargets, workflow);
            Map<String, ValidatedNode> nodes = new LinkedHashMap<>();
            for (String id : workflow.ids()) {
                if (needed.contains(id)) {
                    nodes.put(id, validated.get(id));
                }
            }
            return ValidationResult.passed(new ValidatedWorkflow(workflow, goodTargets, nodes), nodeErrors, ignored);
        }
        String details = nodeErrors.values().stream().flatMap(n -> n.errors().stream())
                .map(ValidationError::toString).collect(Collectors.joining("\n"));
        return ValidationResult.failed(new ValidationError("prompt_outputs_failed_validation",
                "Prompt outputs failed validation", details, Map.of()), nodeErrors);
    }

    /** The outcome of checking one node on its own: the validated node, or its errors. */
    public record NodeCheckResult(ValidatedNode node, List<ValidationError> errors) {
    }

    /**
     * Checks the nodes {@code ids} of {@code workflow} on their own (inputs, links, literals, the node's hook),
     * without targets or cycle analysis. Used for nodes added at run time by node expansion.
     */
    public Map<String, NodeCheckResult> checkNodes(Workflow workflow, List<String> ids) {
        Map<String, RegisteredNode> types = new HashMap<>();
        Map<String, NodeCheckResult> results = new LinkedHashMap<>();
        for (String id : ids) {
            WorkflowNode node = workflow.node(id);
            for (InputValue v : node.inputs().values()) {
                if (v instanceof InputValue.Link link && workflow.contains(link.nodeId())) {
                    registry.find(workflow.node(link.nodeId()).classType()).ifPresent(t -> types.put(link.nodeId(), t));
                }
            }
        }
        for (String id : ids) {
            WorkflowNode node = workflow.node(id);
            var type = registry.find(node.classType());
            if (type.isEmpty()) {
                results.put(id, new NodeCheckResult(null, List.of(new ValidationError("missing_node_type",
                        "Node type '" + node.classType() + "' is not registered", "Node ID '#" + id + "'",
                        nodeInfo(node)))));
                continue;
            }
            NodeCheck check = new NodeCheck(node, type.get(), workflow, types);
            check.run();
            results.put(id, new NodeCheckResult(check.errors.isEmpty() ? check.result() : null, check.errors));
        }
        return results;
    }

    private static Map<String, Object> nodeInfo(WorkflowNode node) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("node_id", node.id());
        info.put("class_type", node.classType());
        info.put("node_title", node.displayTitle());
        return info;
    }

    /** The targets and every node they link to, transitively (links to missing nodes are skipped). */
    private static Set<String> reachableFrom(List<String> targets, Workflow workflow) {
        Set<String> seen = new LinkedHashSet<>(targets);
        Deque<String> todo = new ArrayDeque<>(targets);
        while (!todo.isEmpty()) {
            for (InputValue value : workflow.node(todo.pop()).inputs().values()) {
                if (value instanceof InputValue.Link link && workflow.contains(link.nodeId()) && seen.add(link.nodeId())) {
                    todo.push(link.nodeId());
                }
            }
        }
        return seen;
    }

    /** For every erroring node, the targets that depend on it (itself included). */
    private static Map<String, Set<String>> dependentOutputs(List<String> targets, Workflow workflow,
                                                             Set<String> failing) {
        Map<String, Set<String>> result = new HashMap<>();
        for (String target : targets) {
            for (String id : reachableFrom(List.of(target), workflow)) {
                if (failing.contains(id)) {
                    result.computeIfAbsent(id, k -> new LinkedHashSet<>()).add(target);
                }
            }
        }
        return result;
    }

    /**
     * Finds the nodes on cycles (Kahn's algorithm leaves them with unresolved inputs) and, for each, one cycle
     * through it as a list of ids.
     */
    private static Map<String, List<String>> findCycles(Set<String> nodes, Workflow workflow) {
        Map<String, Set<String>> upstream = new HashMap<>();
        Map<String, List<String>> downstream = new HashMap<>();
        for (String id : nodes) {
            Set<String> ups = new LinkedHashSet<>();
            for (InputValue v : workflow.node(id).inputs().values()) {
                if (v instanceof InputValue.Link l && nodes.contains(l.nodeId())) {
                    ups.add(l.nodeId());
                }
            }
            upstream.put(id, ups);
            for (String up : ups) {
                downstream.computeIfAbsent(up, k -> new ArrayList<>()).add(id);
            }
        }
        Map<String, Integer> pending = new HashMap<>();
        Deque<String> ready = new ArrayDeque<>();
        for (String id : nodes) {
            pending.put(id, upstream.get(id).size());
            if (upstream.get(id).isEmpty()) {
                ready.add(id);
            }
        }
        while (!ready.isEmpty()) {
            for (String down : downstream.getOrDefault(ready.pop(), List.of())) {
                if (pending.merge(down, -1, Integer::sum) == 0) {
                    ready.add(down);
                }
            }
        }
        Set<String> stuck = pending.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        Map<String, List<String>> cycles = new LinkedHashMap<>();
        for (String start : stuck) {
            List<String> cycle = cycleThrough(start, upstream, stuck);
            if (cycle != null) {
                cycles.put(start, cycle);
            }
        }
        return cycles;
    }

    /** A path start -> ... -> start following links among the stuck nodes, or null if start only hangs off a cycle. */
    private static List<String> cycleThrough(String start, Map<String, Set<String>> upstream, Set<String> stuck) {
        Map<String, String> parent = new HashMap<>(); // parent.get(x) = the node that links to x on the path
        Deque<String> todo = new ArrayDeque<>(List.of(start));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String id = todo.poll();
            for (String up : upstream.get(id)) {
                if (!stuck.contains(up)) {
                    continue;
                }
                if (up.equals(start)) {
                    List<String> path = new ArrayList<>();
                    for (String at = id; at != null; at = parent.get(at)) {
                        path.add(at);
                    }
                    java.util.Collections.reverse(path);
                    path.add(start);
                    return path;
                }
                if (seen.add(up)) {
                    parent.put(up, id);
                    todo.add(up);
                }
            }
        }
        return null;
    }

    /** The checks of one node's own inputs. */
    private static final class NodeCheck {
        private final WorkflowNode node;
        private final RegisteredNode type;
        private final Workflow workflow;
        private final Map<String, RegisteredNode> types;
        private final List<ValidationError> errors = new ArrayList<>();
        private final Map<String, Object> literals = new LinkedHashMap<>();
        private final Map<String, InputValue.Link> links = new LinkedHashMap<>();
        private final List<String> ignored = new ArrayList<>();

        NodeCheck(WorkflowNode node, RegisteredNode type, Workflow workflow, Map<String, RegisteredNode> types) {
            this.node = node;
            this.type = type;
            this.workflow = workflow;
            this.types = types;
        }

        ValidatedNode result() {
            return new ValidatedNode(node.id(), type, literals, links);
        }

        void run() {
            NodeSchema schema = type.schema();
            for (InputSpec spec : schema.requiredInputs()) {
                if (!node.inputs().containsKey(spec.name())) {
                    errors.add(error("required_input_missing", "Required input is missing", spec.name(), spec, Map.of()));
                }
            }
            for (Map.Entry<String, InputValue> input : node.inputs().entrySet()) {
                var spec = schema.input(input.getKey());
                if (spec.isPresent()) {
                    checkInput(spec.get(), input.getValue());
                } else if (!schema.hiddenInputs().containsKey(input.getKey())) {
                    ignored.add(input.getKey());
                }
            }
            if (errors.isEmpty()) {
                runNodeValidation();
            }
        }

        private void checkInput(InputSpec spec, InputValue value) {
            if (value instanceof InputValue.BadLink bad) {
                errors.add(error("bad_linked_input", "Bad linked input, must be a length-2 list of [node_id, slot_index]",
                        spec.name(), spec, Map.of("received_value", bad.raw())));
            } else if (value instanceof InputValue.Link link) {
                checkLink(spec, link);
            } else {
                checkLiteral(spec, ((InputValue.Literal) value).value());
            }
        }

        private void checkLink(InputSpec spec, InputValue.Link link) {
            RegisteredNode source = types.get(link.nodeId());
            if (source == null || !workflow.contains(link.nodeId())) {
                errors.add(error("exception_during_inner_validation", "Linked node does not exist",
                        spec.name() + ": node '" + link.nodeId() + "' is not in the workflow", spec,
                        Map.of("linked_node", List.of(link.nodeId(), link.slot()))));
                return;
            }
            List<OutputSpec> outputs = source.schema().outputs();
            if (link.slot() < 0 || link.slot() >= outputs.size()) {
                errors.add(error("exception_during_inner_validation", "Linked output slot does not exist",
                        spec.name() + ": node '" + link.nodeId() + "' (" + source.name() + ") has " + outputs.size()
                                + " output(s), the link asks for slot " + link.slot(), spec,
                        Map.of("linked_node", List.of(link.nodeId(), link.slot()))));
                return;
            }
            String received = outputs.get(link.slot()).type();
            if (!TypeMatching.matches(received, spec.type())) {
                errors.add(error("return_type_mismatch", "Return type mismatch between linked nodes",
                        spec.name() + ", received_type(" + received + ") mismatch input_type(" + spec.type() + ")",
                        spec, Map.of("received_type", received, "linked_node", List.of(link.nodeId(), link.slot()))));
                return;
            }
            links.put(spec.name(), link);
        }

        private void checkLiteral(InputSpec spec, Object raw) {
            if (InputSpec.ANY.equals(spec.type())) {
                if (raw != null) {
                    literals.put(spec.name(), raw);
                }
                return;
            }
            if (!spec.isWidget()) {
                errors.add(error("invalid_input_type", "Input of type " + spec.type() + " needs a link to another node",
                        spec.name() + ": got the literal " + LiteralConverter.describe(raw), spec,
                        Map.of("received_value", String.valueOf(raw))));
                return;
            }
            try {
                Object converted = convertAndCheck(spec, raw);
                if (converted != null) {
                    literals.put(spec.name(), converted);
                }
            } catch (LiteralConverter.ConversionException e) {
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("received_value", raw instanceof String || raw instanceof Number || raw instanceof Boolean
                        ? raw : LiteralConverter.describe(raw));
                extra.put("exception_message", e.getMessage());
                errors.add(error("invalid_input_type", "Failed to convert an input value to a " + spec.type() + " value",
                        spec.name() + ", " + LiteralConverter.describe(raw) + ", " + e.getMessage(), spec, extra));
            }
        }

        /** Converts, then range/list checks; returns null when a range error was recorded. */
        private Object convertAndCheck(InputSpec spec, Object raw) throws LiteralConverter.ConversionException {
            boolean check = !spec.validatedByNode();
            switch (spec.type()) {
                case InputSpec.INT -> {
                    var value = LiteralConverter.toInteger(raw);
                    if (check && !inRange(spec, new java.math.BigDecimal(value), value)) {
                        return null;
                    }
                    return LiteralConverter.toLong(value, spec);
                }
                case InputSpec.FLOAT -> {
                    double value = LiteralConverter.toDouble(raw);
                    if (check && !inRange(spec, java.math.BigDecimal.valueOf(value), value)) {
                        return null;
                    }
                    return value;
                }
                case InputSpec.BOOLEAN -> {
                    return LiteralConverter.toBoolean(raw);
                }
                case InputSpec.STRING -> {
                    return LiteralConverter.toText(raw);
                }
                default -> {
                    String choice = LiteralConverter.toChoice(raw);
                    if (check) {
                        List<String> options = spec.comboOptions();
                        if (!options.contains(choice)) {
                            String listed = options.size() > MAX_LISTED_COMBO_OPTIONS ? "" : " not in " + options;
                            Map<String, Object> extra = new LinkedHashMap<>();
                            extra.put("received_value", choice);
                            ValidationError e = error("value_not_in_list", "Value not in list",
                                    spec.name() + ": '" + choice + "'" + listed, spec, extra);
                            if (options.size() > MAX_LISTED_COMBO_OPTIONS) {
                                Map<String, Object> info = new LinkedHashMap<>(e.extraInfo());
                                info.put("input_config", null);
                                e = new ValidationError(e.type(), e.message(), e.details(), info);
                            }
                            errors.add(e);
                            return null;
                        }
                    }
                    return choice;
                }
            }
        }

        private boolean inRange(InputSpec spec, java.math.BigDecimal value, Object shown) {
            Number min = spec.min();
            Number max = spec.max();
            if (min != null && value.compareTo(decimal(min)) < 0) {
                errors.add(error("value_smaller_than_min", "Value " + shown + " smaller than min of " + min,
                        spec.name(), spec, Map.of("received_value", shown)));
                return false;
            }
            if (max != null && value.compareTo(decimal(max)) > 0) {
                errors.add(error("value_bigger_than_max", "Value " + shown + " bigger than max of " + max,
                        spec.name(), spec, Map.of("received_value", shown)));
                return false;
            }
            return true;
        }

        private static java.math.BigDecimal decimal(Number n) {
            if (n instanceof java.math.BigInteger big) {
                return new java.math.BigDecimal(big);
            }
            if (n instanceof Double || n instanceof Float) {
                return java.math.BigDecimal.valueOf(n.doubleValue());
            }
            return java.math.BigDecimal.valueOf(n.longValue());
        }

        private void runNodeValidation() {
            List<InputProblem> problems;
            try {
                problems = type.node().validateInputs(NodeInputs.of(literals));
            } catch (RuntimeException e) {
                errors.add(new ValidationError("exception_during_validation", "Exception when validating node",
                        e.toString(), Map.of("exception_type", e.getClass().getName(),
                        "exception_message", String.valueOf(e.getMessage()))));
                return;
            }
            for (InputProblem p : problems) {
                InputSpec spec = type.schema().input(p.inputName()).orElse(null);
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("input_name", p.inputName());
                errors.add(spec == null
                        ? new ValidationError("custom_validation_failed", "Custom validation failed for node",
                        p.inputName() + " - " + p.message(), extra)
                        : error("custom_validation_failed", "Custom validation failed for node",
                        p.inputName() + " - " + p.message(), spec, Map.of()));
            }
        }

        private ValidationError error(String errorType, String message, String details, InputSpec spec,
                                      Map<String, Object> more) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("input_name", spec.name());
            extra.put("input_config", inputConfig(spec));
            extra.putAll(more);
            return new ValidationError(errorType, message, details, extra);
        }

        /** The {@code [type, options]} pair object_info shows for this input. */
        private static List<Object> inputConfig(InputSpec spec) {
            List<Object> config = new ArrayList<>(2);
            config.add(spec.isCombo() ? spec.comboOptions() : spec.type());
            config.add(spec.options());
            return config;
        }
    }
}
