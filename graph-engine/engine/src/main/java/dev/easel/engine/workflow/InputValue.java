package dev.easel.engine.workflow;

import java.util.List;

/** The value of one input in an API-format workflow: a literal, a link, or a list that is neither. */
public sealed interface InputValue {

    /**
     * A literal as it was written in JSON: {@code String}, {@code Boolean}, {@code Long}, {@code BigInteger},
     * {@code Double}, {@code List} (from {@code {"__value__": [...]}}), {@code Map} or {@code null}.
     */
    record Literal(Object value) implements InputValue {
    }

    /** A link {@code [nodeId, slot]} to an output of another node. */
    record Link(String nodeId, int slot) implements InputValue {
    }

    /** A bare JSON list that is not a well-formed link (ComfyUI's {@code bad_linked_input}). */
    record BadLink(List<Object> raw) implements InputValue {
    }
}
