package dev.easel.engine.workflow;

/** The JSON is not an API-format workflow at all (not an object of node objects). */
public final class WorkflowParseException extends Exception {

    public WorkflowParseException(String message) {
        super(message);
    }

    public WorkflowParseException(String message, Throwable cause) {
        super(message, cause);
    }
}
