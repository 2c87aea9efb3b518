package dev.easel.engine.workflow.ui;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the parts of a UI-format workflow (api-contract §4.2) that the conversion uses: nodes, links (version 0.4
 * arrays {@code [id, origin_id, origin_slot, target_id, target_slot, type]} or version 1 objects) and the subgraph
 * definitions of version 1 ({@code definitions.subgraphs}). Layout, groups and the like are ignored.
 */
final class UiGraphReader {

    /** The root graph and the subgraph definitions by id. */
    record Document(UiGraph root, Map<String, UiGraph> subgraphs) {
    }

    private UiGraphReader() {
    }

    static Document read(JsonNode json) throws UiWorkflowException {
        if (json == null || !json.isObject()) {
            throw UiWorkflowException.graph("a UI-format workflow must be a JSON object with nodes and links");
        }
        Map<String, UiGraph> subgraphs = new LinkedHashMap<>();
        readDefinitions(json, subgraphs);
        return new Document(readGraph(json, "workflow"), subgraphs);
    }

    private static void readDefinitions(JsonNode graph, Map<String, UiGraph> into) throws UiWorkflowException {
        JsonNode defs = graph.path("definitions").path("subgraphs");
        if (defs.isMissingNode() || defs.isNull()) {
            return;
        }
        if (!defs.isArray()) {
            throw UiWorkflowException.graph("definitions.subgraphs must be an array");
        }
        for (JsonNode def : defs) {
            String id = idText(def.get("id"));
            if (id == null) {
                throw UiWorkflowException.graph("a subgraph definition has no id");
            }
            into.put(id, readGraph(def, "subgraph " + id));
            readDefinitions(def, into); // the editor keeps them all at the root, but nesting costs nothing to read
        }
    }

    private static UiGraph readGraph(JsonNode graph, String what) throws UiWorkflowException {
        JsonNode nodesJson = graph.get("nodes");
        if (nodesJson == null || !nodesJson.isArray()) {
            throw UiWorkflowException.graph(what + " has no nodes array");
        }
        Map<String, UiGraph.Node> nodes = new LinkedHashMap<>();
        for (JsonNode n : nodesJson) {
            UiGraph.Node node = readNode(n, what);
            if (nodes.putIfAbsent(node.id(), node) != null) {
                throw UiWorkflowException.node(node.id(), node.type(), "the id is used by two nodes in " + what);
            }
        }
        Map<String, UiGraph.Link> links = new LinkedHashMap<>();
        JsonNode linksJson = graph.get("links");
        if (linksJson != null && !linksJson.isNull()) {
            if (!linksJson.isArray()) {
                throw UiWorkflowException.graph("links of " + what + " must be an array");
            }
            for (JsonNode l : linksJson) {
                if (l == null || l.isNull()) {
                    continue; // the editor leaves holes where links were deleted in some versions
                }
                UiGraph.Link link = readLink(l, what);
                links.put(link.id(), link);
            }
        }
        return new UiGraph(nodes, links);
    }

    private static UiGraph.Node readNode(JsonNode n, String what) throws UiWorkflowException {
        if (n == null || !n.isObject()) {
            throw UiWorkflowException.graph("a node of " + what + " is not a JSON object");
        }
        String id = idText(n.get("id"));
        JsonNode typeJson = n.get("type");
        String type = typeJson != null && typeJson.isTextual() ? typeJson.asText() : null;
        if (id == null) {
            throw UiWorkflowException.graph("a node of " + what + (type == null ? "" : " of type " + type)
                    + " has no id");
        }
        if (type == null || type.isBlank()) {
            throw UiWorkflowException.node(id, null, "the node has no type");
        }
        JsonNode modeJson = n.get("mode");
        int mode = modeJson != null && modeJson.isIntegralNumber() ? modeJson.asInt() : 0;
        JsonNode titleJson = n.get("title");
        String title = titleJson != null && titleJson.isTextual() ? titleJson.asText() : null;
        List<UiGraph.Input> inputs = new ArrayList<>();
        JsonNode inputsJson = n.get("inputs");
        if (inputsJson != null && !inputsJson.isNull()) {
            if (!inputsJson.isArray()) {
                throw UiWorkflowException.node(id, type, "inputs must be an array");
            }
            for (JsonNode in : inputsJson) {
                inputs.add(readInput(in, id, type));
            }
        }
        JsonNode widgets = n.get("widgets_values");
        if (widgets != null && !widgets.isNull() && !widgets.isArray() && !widgets.isObject()) {
            throw UiWorkflowException.node(id, type, "widgets_values must be an array or an object, got "
                    + widgets.getNodeType().toString().toLowerCase());
        }
        return new UiGraph.Node(id, type, mode, title, inputs, widgets == null || widgets.isNull() ? null : widgets);
    }

    private static UiGraph.Input readInput(JsonNode in, String nodeId, String type) throws UiWorkflowException {
        if (in == null || !in.isObject()) {
            throw UiWorkflowException.node(nodeId, type, "an entry of inputs is not a JSON object");
        }
        JsonNode widget = in.path("widget").path("name");
        String name = widget.isTextual() ? widget.asText() : in.path("name").isTextual() ? in.get("name").asText()
                : null;
        if (name == null) {
            throw UiWorkflowException.node(nodeId, type, "an input has no name");
        }
        JsonNode socketType = in.get("type");
        JsonNode link = in.get("link");
        String linkId = link == null || link.isNull() ? null : idText(link);
        if (link != null && !link.isNull() && linkId == null) {
            throw UiWorkflowException.input(nodeId, type, name, "link must be a link id, got " + link);
        }
        return new UiGraph.Input(name, socketType != null && socketType.isTextual() ? socketType.asText() : null,
                linkId);
    }

    private static UiGraph.Link readLink(JsonNode l, String what) throws UiWorkflowException {
        JsonNode id;
        JsonNode origin;
        JsonNode originSlot;
        JsonNode target;
        JsonNode targetSlot;
        if (l.isArray()) { // version 0.4: [id, origin_id, origin_slot, target_id, target_slot, type]
            if (l.size() < 5) {
                throw UiWorkflowException.graph("link " + l + " of " + what + " needs [id, origin_id, origin_slot, "
                        + "target_id, target_slot, type]");
            }
            id = l.get(0);
            origin = l.get(1);
            originSlot = l.get(2);
            target = l.get(3);
            targetSlot = l.get(4);
        } else if (l.isObject()) { // version 1
            id = l.get("id");
            origin = l.get("origin_id");
            originSlot = l.get("origin_slot");
            target = l.get("target_id");
            targetSlot = l.get("target_slot");
        } else {
            throw UiWorkflowException.graph("link " + l + " of " + what + " is neither an array nor an object");
        }
        String linkId = idText(id);
        String originId = idText(origin);
        String targetId = idText(target);
        if (linkId == null || originId == null || targetId == null || originSlot == null
                || !originSlot.isIntegralNumber() || targetSlot == null || !targetSlot.isIntegralNumber()) {
            throw UiWorkflowException.graph("link " + l + " of " + what + " needs an id, origin_id, integer "
                    + "origin_slot, target_id and integer target_slot");
        }
        return new UiGraph.Link(linkId, originId, originSlot.asInt(), targetId, targetSlot.asInt());
    }

    /** A node or link id as a string: the editor writes numbers, newer versions may write strings. */
    static String idText(JsonNode id) {
        if (id == null) {
            return null;
        }
        if (id.isTextual() && !id.asText().isEmpty()) {
            return id.asText();
        }
        if (id.isIntegralNumber()) {
            return id.bigIntegerValue().toString();
        }
        if (id.isNumber() && id.asDouble() == Math.rint(id.asDouble())) {
            return Long.toString((long) id.asDouble()); // 3.0 from some serializers
        }
        return null;
    }
}
