package dev.easel.engine.validation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of validating a workflow. When {@link #isValid()} the workflow can run (possibly with fewer targets in
 * partial mode, in which case {@link #nodeErrors()} still lists the dropped ones); otherwise {@link #error()} says why.
 */
public final class ValidationResult {

    private final ValidationError error;
    private final Map<String, NodeErrors> nodeErrors;
    private final ValidatedWorkflow workflow;
    private final Map<String, List<String>> ignoredInputs;

    private ValidationResult(ValidationError error, Map<String, NodeErrors> nodeErrors, ValidatedWorkflow workflow,
                             Map<String, List<String>> ignoredInputs) {
        this.error = error;
        this.nodeErrors = Collections.unmodifiableMap(new LinkedHashMap<>(nodeErrors));
        this.workflow = workflow;
        this.ignoredInputs = Collections.unmodifiableMap(new LinkedHashMap<>(ignoredInputs));
    }

    static ValidationResult failed(ValidationError error, Map<String, NodeErrors> nodeErrors) {
        return new ValidationResult(error, nodeErrors, null, Map.of());
    }

    static ValidationResult passed(ValidatedWorkflow workflow, Map<String, NodeErrors> nodeErrors,
                                   Map<String, List<String>> ignoredInputs) {
        return new ValidationResult(null, nodeErrors, workflow, ignoredInputs);
    }

    /**
     * Inputs the workflow gives but the node does not declare, by node id. They are ignored (they neither reach the
     * node nor change its cache key); callers may warn about them, since they are often typos.
     */
    public Map<String, List<String>> ignoredInputs() {
        return ignoredInputs;
    }

    public boolean isValid() {
        return workflow != null;
    }

    /** The top-level error, or {@code null} when valid. */
    public ValidationError error() {
        return error;
    }

    /** Errors by node id (ComfyUI's {@code node_errors}); may be non-empty for a valid partial run. */
    public Map<String, NodeErrors> nodeErrors() {
        return nodeErrors;
    }

    /** The runnable workflow; throws when invalid. */
    public ValidatedWorkflow workflow() {
        if (workflow == null) {
            throw new IllegalStateException("the workflow is not valid: " + error);
        }
        return workflow;
    }

    /** The HTTP 400 body of ComfyUI: {@code {"error": {...}, "node_errors": {...}}}. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("error", error == null ? null : error.toJson());
        Map<String, Object> nodes = new LinkedHashMap<>();
        nodeErrors.forEach((id, errors) -> nodes.put(id, errors.toJson()));
        json.put("node_errors", nodes);
        return json;
    }
}
