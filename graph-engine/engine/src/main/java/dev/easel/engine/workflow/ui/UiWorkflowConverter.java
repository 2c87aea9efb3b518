package dev.easel.engine.workflow.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.registry.RegisteredNode;
import dev.easel.node.InputSpec;
import dev.easel.node.NodeSchema;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Converts a workflow in ComfyUI's UI format (what the editor saves; api-contract §4.2) into the API-format prompt
 * that {@link dev.easel.engine.workflow.WorkflowParser#fromJson} reads, following the editor's own
 * {@code graphToPrompt}: muted (mode 2), bypassed (mode 4) and editor-only nodes (Reroute, PrimitiveNode, Note,
 * MarkdownNote) are not emitted; links are followed through them ({@link LinkResolver}); {@code widgets_values} are
 * matched to inputs by the registered schemas ({@link WidgetValues}); subgraphs are flattened into colon-path ids.
 *
 * <p>Nothing is invented: an input whose link ends at a removed node, or whose value is missing, is left out for
 * validation to report (or for its default to apply). A node type the registry does not know is an error.
 */
public final class UiWorkflowConverter {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Function<String, Optional<NodeSchema>> schemas;

    /** A converter that reads the node schemas of {@code registry} at each conversion (packs may come and go). */
    public UiWorkflowConverter(NodeRegistry registry) {
        this(type -> registry.find(type).map(RegisteredNode::schema));
    }

    /** A converter over any schema lookup by node type. */
    public UiWorkflowConverter(Function<String, Optional<NodeSchema>> schemas) {
        this.schemas = schemas;
    }

    /**
     * True for JSON shaped like a UI-format workflow: an object with a {@code nodes} array and a {@code links} array.
     * An API prompt never has that shape, since its values are node objects.
     */
    public static boolean isUiWorkflow(JsonNode json) {
        return json != null && json.isObject() && json.path("nodes").isArray() && json.path("links").isArray();
    }

    /** The API-format prompt of {@code uiWorkflow}. */
    public ObjectNode toApiPrompt(JsonNode uiWorkflow) throws UiWorkflowException {
        UiGraphReader.Document document = UiGraphReader.read(uiWorkflow);
        ObjectNode prompt = JSON.objectNode();
        new Emitter(document.subgraphs(), prompt).emit(UiScope.root(document.root()), new ArrayDeque<>());
        return prompt;
    }

    /** Walks the graphs (subgraphs depth first, at the place of their instance) and writes the prompt's nodes. */
    private final class Emitter {
        private final Map<String, UiGraph> subgraphs;
        private final LinkResolver links;
        private final ObjectNode prompt;

        Emitter(Map<String, UiGraph> subgraphs, ObjectNode prompt) {
            this.subgraphs = subgraphs;
            this.links = new LinkResolver(subgraphs);
            this.prompt = prompt;
        }

        void emit(UiScope scope, Deque<String> openSubgraphs) throws UiWorkflowException {
            for (UiGraph.Node node : scope.graph().nodes().values()) {
                String apiId = scope.apiId(node.id());
                if (node.muted() || node.bypassed() || VirtualNodes.isVirtual(node.type())) {
                    continue;
                }
                UiGraph definition = subgraphs.get(node.type());
                if (definition != null) {
                    if (openSubgraphs.contains(node.type())) {
                        throw UiWorkflowException.node(apiId, node.type(), "the subgraph contains an instance of "
                                + "itself");
                    }
                    openSubgraphs.push(node.type());
                    emit(scope.enter(node, definition), openSubgraphs);
                    openSubgraphs.pop();
                    continue;
                }
                NodeSchema schema = schemas.apply(node.type()).orElseThrow(() -> unknownType(apiId, node.type()));
                prompt.set(apiId, apiNode(scope, apiId, node, schema));
            }
        }

        private ObjectNode apiNode(UiScope scope, String apiId, UiGraph.Node node, NodeSchema schema)
                throws UiWorkflowException {
            Map<String, JsonNode> widgets = WidgetValues.byInputName(schema, node.widgetsValues());
            Map<String, UiGraph.Input> sockets = new LinkedHashMap<>();
            node.inputs().forEach(in -> sockets.putIfAbsent(in.name(), in));
            ObjectNode inputs = JSON.objectNode();
            for (InputSpec spec : schema.inputs()) {
                UiGraph.Input socket = sockets.remove(spec.name());
                Source source = source(scope, apiId, node, socket, spec.type());
                if (source instanceof Source.Dangling && widgets.containsKey(spec.name())) {
                    source = new Source.Value(widgets.get(spec.name()));
                }
                write(inputs, spec.name(), source);
            }
            // Linked inputs the schema does not declare (dynamic inputs): sent as the editor sends them; validation
            // ignores what the node does not declare.
            for (UiGraph.Input extra : sockets.values()) {
                write(inputs, extra.name(), source(scope, apiId, node, extra, null));
            }
            ObjectNode api = JSON.objectNode();
            api.set("inputs", inputs);
            api.put("class_type", node.type());
            api.putObject("_meta").put("title", node.title() != null ? node.title() : schema.displayName());
            return api;
        }

        private Source source(UiScope scope, String apiId, UiGraph.Node node, UiGraph.Input socket,
                String schemaType) throws UiWorkflowException {
            if (socket == null || socket.linkId() == null) {
                return new Source.Dangling();
            }
            String type = socket.type() != null ? socket.type() : schemaType;
            return links.resolve(scope, socket.linkId(), type, apiId, node.type(), socket.name());
        }
    }

    private static void write(ObjectNode inputs, String name, Source source) {
        if (source instanceof Source.Output out) {
            ArrayNode link = inputs.putArray(name);
            link.add(out.nodeId());
            link.add(out.slot());
        } else if (source instanceof Source.Value value) {
            inputs.set(name, literal(value.value()));
        }
    }

    /** A list literal must be wrapped, or it would read as a link (api-contract §4.1). */
    private static JsonNode literal(JsonNode value) {
        if (value.isArray()) {
            ObjectNode wrapped = JSON.objectNode();
            wrapped.set("__value__", value.deepCopy());
            return wrapped;
        }
        return value.deepCopy();
    }

    private static UiWorkflowException unknownType(String apiId, String type) {
        String reason = type.startsWith("workflow>") || type.startsWith("workflow/")
                ? "legacy group nodes are not supported; convert the group node to a subgraph in the editor"
                : "unknown node type '" + type + "' (no installed pack provides it)";
        return new UiWorkflowException(UiWorkflowException.MISSING_NODE_TYPE, apiId, type, null, reason);
    }
}
