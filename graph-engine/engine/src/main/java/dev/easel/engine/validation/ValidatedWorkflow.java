package dev.easel.engine.validation;

import dev.easel.engine.workflow.Workflow;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A workflow ready to run: the output nodes to execute and every node they need, validated.
 *
 * @param source  the workflow as submitted
 * @param targets the output nodes to run, in workflow order
 * @param nodes   the validated nodes reachable from the targets, by id
 */
public record ValidatedWorkflow(Workflow source, List<String> targets, Map<String, ValidatedNode> nodes) {

    public ValidatedWorkflow {
        targets = List.copyOf(targets);
        nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
    }
}
