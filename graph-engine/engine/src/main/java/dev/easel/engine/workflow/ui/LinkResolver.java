package dev.easel.engine.workflow.ui;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Follows a link back to the node that really produces its value, as the editor's {@code graphToPrompt} does: through
 * Reroute nodes (chains too), through bypassed nodes (the bypassed node's first input of the consumer's type,
 * trying the input at the output's own index first), across subgraph borders in both directions, and to the value of
 * a PrimitiveNode. A muted node at the end removes the input.
 */
final class LinkResolver {

    private final Map<String, UiGraph> subgraphs;

    LinkResolver(Map<String, UiGraph> subgraphs) {
        this.subgraphs = subgraphs;
    }

    /**
     * The source of input {@code inputName} of node {@code consumer} (API id), whose link is {@code linkId} in
     * {@code scope}; {@code wantedType} is the input's type, which a bypassed node must offer on one of its inputs.
     */
    Source resolve(UiScope scope, String linkId, String wantedType, String consumer, String consumerType,
            String inputName) throws UiWorkflowException {
        Set<String> seen = new HashSet<>();
        while (true) {
            if (!seen.add(scope.prefix() + "#" + linkId)) {
                throw UiWorkflowException.input(consumer, consumerType, inputName,
                        "its link goes round in a loop through reroute, bypassed or subgraph nodes");
            }
            UiGraph.Link link = scope.graph().link(linkId);
            if (link == null) {
                return new Source.Dangling(); // the editor skips an input whose link id is not in the table
            }
            int slot = link.originSlot();
            if (scope.instance() != null && UiGraph.SUBGRAPH_INPUT_ID.equals(link.originId())) {
                UiGraph.Input outer = scope.instance().input(slot); // out of the subgraph, into its instance's input
                scope = scope.parent();
                if (outer == null || outer.linkId() == null) {
                    return new Source.Dangling();
                }
                linkId = outer.linkId();
                continue;
            }
            UiGraph.Node origin = scope.graph().node(link.originId());
            if (origin == null) {
                return new Source.Dangling();
            }
            if (origin.muted()) {
                return new Source.Removed();
            }
            if (origin.bypassed()) {
                UiGraph.Input through = bypassInput(origin, slot, wantedType);
                if (through == null) {
                    return new Source.Removed(); // nothing of the consumer's type to pass through
                }
                if (through.linkId() == null) {
                    return new Source.Dangling();
                }
                linkId = through.linkId();
                continue;
            }
            UiGraph definition = subgraphs.get(origin.type());
            if (definition != null) {
                UiScope inner = scope.enter(origin, definition); // into the subgraph, to what feeds that output
                UiGraph.Link out = definition.linkToSubgraphOutput(slot);
                if (out == null) {
                    return new Source.Dangling();
                }
                scope = inner;
                linkId = out.id();
                continue;
            }
            switch (VirtualNodes.kind(origin.type())) {
                case REROUTE -> {
                    UiGraph.Input in = origin.input(0);
                    if (in == null || in.linkId() == null) {
                        return new Source.Dangling();
                    }
                    linkId = in.linkId();
                }
                case PRIMITIVE -> {
                    JsonNode values = origin.widgetsValues();
                    JsonNode value = values == null ? null : values.isArray() ? values.get(0) : values.get("value");
                    return value == null || value.isNull() ? new Source.Dangling() : new Source.Value(value);
                }
                case OTHER -> {
                    return new Source.Removed(); // a note has no outputs; a link from it leads nowhere
                }
                case NONE -> {
                    return new Source.Output(scope.apiId(origin.id()), slot);
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    /** The bypassed node's input that stands in for output {@code slot}: same index first, then the first of the type. */
    private static UiGraph.Input bypassInput(UiGraph.Node bypassed, int slot, String wantedType) {
        if (wantedType == null) {
            return null;
        }
        UiGraph.Input same = bypassed.input(slot);
        if (same != null && wantedType.equals(same.type())) {
            return same;
        }
        for (UiGraph.Input in : bypassed.inputs()) {
            if (wantedType.equals(in.type())) {
                return in;
            }
        }
        return null;
    }
}
