package dev.easel.engine.event;

import dev.easel.node.Preview;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The events of one run, named and shaped as ComfyUI's WebSocket messages (api-contract §3.3): {@link #type()} is
 * the message type and {@link #data()} its {@code data} object. The server sends them as they are.
 */
public sealed interface RunEvent {

    String promptId();

    /** The ComfyUI message type, for example {@code "executing"}. */
    String type();

    /** The message's {@code data} object. */
    Map<String, Object> data();

    record ExecutionStart(String promptId, long timestamp) implements RunEvent {
        public String type() {
            return "execution_start";
        }

        public Map<String, Object> data() {
            return json("prompt_id", promptId, "timestamp", timestamp);
        }
    }

    /** The nodes whose outputs came from the cache. */
    record ExecutionCached(String promptId, List<String> nodes, long timestamp) implements RunEvent {
        public String type() {
            return "execution_cached";
        }

        public Map<String, Object> data() {
            return json("nodes", nodes, "prompt_id", promptId, "timestamp", timestamp);
        }
    }

    /** A node starts running; {@code nodeId == null} is the end-of-run signal sent after the history is written. */
    record Executing(String promptId, String nodeId, String displayNodeId) implements RunEvent {
        public static Executing finished(String promptId) {
            return new Executing(promptId, null, null);
        }

        public String type() {
            return "executing";
        }

        public Map<String, Object> data() {
            return nodeId == null ? json("node", null, "prompt_id", promptId)
                    : json("node", nodeId, "display_node", displayNodeId, "prompt_id", promptId);
        }
    }

    /** Progress of a running node; {@code preview} (nullable) travels as a binary frame. */
    record Progress(String promptId, String nodeId, long value, long max, Preview preview) implements RunEvent {
        public String type() {
            return "progress";
        }

        public Map<String, Object> data() {
            return json("value", value, "max", max, "prompt_id", promptId, "node", nodeId);
        }
    }

    /** A node produced a UI result (also re-sent for cached output nodes). */
    record Executed(String promptId, String nodeId, String displayNodeId, Map<String, List<Object>> output)
            implements RunEvent {
        public String type() {
            return "executed";
        }

        public Map<String, Object> data() {
            return json("node", nodeId, "display_node", displayNodeId, "output", output, "prompt_id", promptId);
        }
    }

    record ExecutionSuccess(String promptId, long timestamp) implements RunEvent {
        public String type() {
            return "execution_success";
        }

        public Map<String, Object> data() {
            return json("prompt_id", promptId, "timestamp", timestamp);
        }
    }

    /**
     * A node failed and the run stopped; also used, with {@code exceptionType = "ExecutionBlocked"}, when an
     * execution blocker with a message reached a node (that one does not stop the run).
     */
    record ExecutionError(String promptId, String nodeId, String nodeType, List<String> executed,
                          String exceptionMessage, String exceptionType, List<String> traceback,
                          Map<String, List<String>> currentInputs, List<String> currentOutputs, long timestamp)
            implements RunEvent {
        public String type() {
            return "execution_error";
        }

        public Map<String, Object> data() {
            Map<String, Object> m = json("prompt_id", promptId, "node_id", nodeId, "node_type", nodeType,
                    "executed", executed, "exception_message", exceptionMessage, "exception_type", exceptionType);
            m.put("traceback", traceback);
            m.put("current_inputs", currentInputs);
            m.put("current_outputs", currentOutputs);
            m.put("timestamp", timestamp);
            return m;
        }
    }

    record ExecutionInterrupted(String promptId, String nodeId, String nodeType, List<String> executed,
                                long timestamp) implements RunEvent {
        public String type() {
            return "execution_interrupted";
        }

        public Map<String, Object> data() {
            return json("prompt_id", promptId, "node_id", nodeId, "node_type", nodeType, "executed", executed,
                    "timestamp", timestamp);
        }
    }

    private static Map<String, Object> json(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
