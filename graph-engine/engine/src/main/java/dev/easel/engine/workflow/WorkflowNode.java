package dev.easel.engine.workflow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One node of an API-format workflow.
 *
 * @param id        the node id, a string such as {@code "3"}, {@code "54:12"} or {@code "7.0.0.1"}
 * @param classType the node class, or {@code null} when the JSON had none
 * @param inputs    inputs by name, in JSON order
 * @param title     {@code _meta.title}, or {@code null}; used only in messages
 */
public record WorkflowNode(String id, String classType, Map<String, InputValue> inputs, String title) {

    public WorkflowNode {
        inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    }

    /** The title if there is one, else the class type, for messages. */
    public String displayTitle() {
        return title != null && !title.isBlank() ? title : (classType == null ? id : classType);
    }
}
