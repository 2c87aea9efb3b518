package dev.easel.engine.workflow.ui;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * One graph of a UI-format workflow (the root, or one subgraph definition) reduced to what the conversion needs:
 * nodes in file order and links by id. Ids are kept as strings, since UI files write them as numbers or strings.
 */
record UiGraph(Map<String, Node> nodes, Map<String, Link> links) {

    /** The id litegraph gives a subgraph's input node: links from it start at the instance's inputs. */
    static final String SUBGRAPH_INPUT_ID = "-10";
    /** The id of a subgraph's output node: links to it end at the instance's outputs. */
    static final String SUBGRAPH_OUTPUT_ID = "-20";

    static final int MODE_NEVER = 2;
    static final int MODE_BYPASS = 4;

    Node node(String id) {
        return nodes.get(id);
    }

    Link link(String id) {
        return id == null ? null : links.get(id);
    }

    /** The link that feeds output slot {@code slot} of this subgraph, or null. */
    Link linkToSubgraphOutput(int slot) {
        for (Link link : links.values()) {
            if (SUBGRAPH_OUTPUT_ID.equals(link.targetId()) && link.targetSlot() == slot) {
                return link;
            }
        }
        return null;
    }

    /**
     * A node as the editor saved it.
     *
     * @param widgetsValues the {@code widgets_values} array or object, or null
     */
    record Node(String id, String type, int mode, String title, List<Input> inputs, JsonNode widgetsValues) {

        boolean muted() {
            return mode == MODE_NEVER;
        }

        boolean bypassed() {
            return mode == MODE_BYPASS;
        }

        Input input(int slot) {
            return slot >= 0 && slot < inputs.size() ? inputs.get(slot) : null;
        }
    }

    /**
     * One input socket of a node.
     *
     * @param name   the input's name; for a widget turned into a socket, the widget's name
     * @param type   the socket type as the editor shows it, or null
     * @param linkId the id of the link into it, or null when unconnected
     */
    record Input(String name, String type, String linkId) {
    }

    /** A link {@code origin_id:origin_slot → target_id:target_slot}. */
    record Link(String id, String originId, int originSlot, String targetId, int targetSlot) {
    }
}
