package dev.easel.engine.workflow.ui;

/**
 * A UI-format workflow that cannot be converted to the API format. It names the node (id as a colon path for nodes
 * inside subgraphs, and type) and the input when the problem is in one; both are null for problems with the graph as a
 * whole (no {@code nodes} array, a malformed link table).
 */
public final class UiWorkflowException extends Exception {

    /** ComfyUI's error type for a node whose class is not registered. */
    public static final String MISSING_NODE_TYPE = "missing_node_type";
    /** Everything else: the JSON is not a well-formed UI workflow. */
    public static final String INVALID_WORKFLOW = "invalid_ui_workflow";

    private final String errorType;
    private final String nodeId;
    private final String nodeType;
    private final String inputName;

    UiWorkflowException(String errorType, String nodeId, String nodeType, String inputName, String reason) {
        super(describe(nodeId, nodeType, inputName, reason));
        this.errorType = errorType;
        this.nodeId = nodeId;
        this.nodeType = nodeType;
        this.inputName = inputName;
    }

    static UiWorkflowException graph(String reason) {
        return new UiWorkflowException(INVALID_WORKFLOW, null, null, null, reason);
    }

    static UiWorkflowException node(String nodeId, String nodeType, String reason) {
        return new UiWorkflowException(INVALID_WORKFLOW, nodeId, nodeType, null, reason);
    }

    static UiWorkflowException input(String nodeId, String nodeType, String inputName, String reason) {
        return new UiWorkflowException(INVALID_WORKFLOW, nodeId, nodeType, inputName, reason);
    }

    private static String describe(String nodeId, String nodeType, String inputName, String reason) {
        if (nodeId == null) {
            return reason;
        }
        String where = "node " + nodeId + (nodeType == null ? "" : " (" + nodeType + ")")
                + (inputName == null ? "" : " input '" + inputName + "'");
        return where + ": " + reason;
    }

    /** {@link #MISSING_NODE_TYPE} or {@link #INVALID_WORKFLOW}. */
    public String errorType() {
        return errorType;
    }

    /** The node's id (a colon path inside subgraphs), or null when the problem is not in one node. */
    public String nodeId() {
        return nodeId;
    }

    /** The node's {@code type}, or null. */
    public String nodeType() {
        return nodeType;
    }

    /** The input the problem is in, or null. */
    public String inputName() {
        return inputName;
    }
}
