package dev.easel.engine.validation;

import dev.easel.engine.registry.RegisteredNode;
import dev.easel.engine.workflow.InputValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A node that passed validation: its literals converted to their declared types and its links checked. Inputs the
 * schema does not declare are dropped here, so they neither reach the node nor change its cache key.
 *
 * @param id       the node id
 * @param type     the registered node type
 * @param literals converted literal inputs by name (Long, Double, String, Boolean, or raw values for {@code *})
 * @param links    linked inputs by name
 */
public record ValidatedNode(String id, RegisteredNode type, Map<String, Object> literals,
                            Map<String, InputValue.Link> links) {

    public ValidatedNode {
        literals = Collections.unmodifiableMap(new LinkedHashMap<>(literals));
        links = Collections.unmodifiableMap(new LinkedHashMap<>(links));
    }
}
