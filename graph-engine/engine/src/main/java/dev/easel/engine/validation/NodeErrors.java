package dev.easel.engine.validation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The errors of one node, as in ComfyUI's {@code node_errors[id]}.
 *
 * @param classType        the node's class
 * @param errors           its own errors (not those of its ancestors)
 * @param dependentOutputs the output nodes that cannot run because of them
 */
public record NodeErrors(String classType, List<ValidationError> errors, List<String> dependentOutputs) {

    public NodeErrors {
        errors = List.copyOf(errors);
        dependentOutputs = List.copyOf(dependentOutputs);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("errors", errors.stream().map(ValidationError::toJson).toList());
        json.put("dependent_outputs", dependentOutputs);
        json.put("class_type", classType);
        return json;
    }
}
