package dev.easel.engine.validation;

import java.util.List;

/**
 * How to validate.
 *
 * @param partialTargets when non-null, only output nodes in this list are targets ({@code partial_execution_targets})
 * @param strict         when true (the default) any node error rejects the whole workflow; when false, targets whose
 *                       ancestry is valid still run, as ComfyUI does
 */
public record ValidationOptions(List<String> partialTargets, boolean strict) {

    public static final ValidationOptions STRICT = new ValidationOptions(null, true);

    public ValidationOptions withPartialTargets(List<String> targets) {
        return new ValidationOptions(targets == null ? null : List.copyOf(targets), strict);
    }
}
