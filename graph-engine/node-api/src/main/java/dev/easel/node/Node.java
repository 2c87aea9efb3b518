package dev.easel.node;

import java.util.List;

/**
 * One node type. Implementations are stateless and thread-safe: the engine may run several instances of the same
 * node type at once, in parallel branches.
 *
 * <p>Only {@link #schema()} and {@link #execute} are required; the default methods are optional hooks that mirror
 * ComfyUI's {@code IS_CHANGED}, {@code VALIDATE_INPUTS} and {@code check_lazy_status}.
 */
public interface Node {

    /** The node's declaration: name, inputs, outputs and flags. Must return the same schema on every call. */
    NodeSchema schema();

    /**
     * Computes the outputs. Called once per list item (see {@link NodeSchema#inputIsList()}), inside a native-memory
     * scope: every tensor created here and not returned is freed when the call ends.
     *
     * @throws Exception any failure; the engine reports it with this node's id, type and message and stops the run.
     */
    NodeOutput execute(NodeInputs inputs, NodeContext context) throws Exception;

    /**
     * The {@code IS_CHANGED} equivalent: extra data that goes into this node's cache key. Called once per run, before
     * anything executes, with the node's literal (widget) inputs; linked inputs are absent, as in ComfyUI. Return
     * {@code null} for "nothing extra", a value that identifies the external state otherwise (for example the hash
     * of the file a path names), or {@link Fingerprint#ALWAYS_CHANGED} to force a re-run every time. A fingerprint
     * that throws counts as {@code ALWAYS_CHANGED}.
     */
    default Object fingerprint(NodeInputs inputs) throws Exception {
        return null;
    }

    /**
     * The {@code VALIDATE_INPUTS} equivalent, run before execution with the literal (non-linked) inputs already
     * converted to their declared types. Inputs declared with {@link InputSpec.Builder#validatedByNode()} skip the
     * engine's own min/max/list checks and are checked here only.
     *
     * @return the problems found; empty when the inputs are fine.
     */
    default List<InputProblem> validateInputs(NodeInputs literalInputs) {
        return List.of();
    }

    /**
     * The {@code check_lazy_status} equivalent, for nodes with {@link InputSpec.Builder#lazy() lazy} inputs. Called
     * with the inputs available so far (lazy inputs that were not evaluated yet are absent). Return the names of the
     * lazy inputs that must be evaluated before the node can run; an empty list means "run now".
     */
    default List<String> lazyInputsNeeded(NodeInputs available, NodeContext context) throws Exception {
        return List.of();
    }
}
