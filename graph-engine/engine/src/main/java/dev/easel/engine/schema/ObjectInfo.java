package dev.easel.engine.schema;

import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.registry.RegisteredNode;
import dev.easel.node.InputSpec;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders node schemas as ComfyUI's V1 {@code object_info} JSON (api-contract §5.1): COMBO inputs as the list of
 * options itself, inputs grouped as required/optional/hidden with their order, and one entry per output.
 */
public final class ObjectInfo {

    /** The pack id whose nodes ComfyUI clients should see as core ({@code python_module: "nodes"}). */
    public static final String CORE_PACK = "easel-core";

    private ObjectInfo() {
    }

    /** {@code {ClassName: NodeInfo, ...}} for every registered node. */
    public static Map<String, Object> render(NodeRegistry registry) {
        Map<String, Object> all = new LinkedHashMap<>();
        for (RegisteredNode node : registry.all()) {
            all.put(node.name(), render(node));
        }
        return all;
    }

    public static Map<String, Object> render(RegisteredNode node) {
        NodeSchema s = node.schema();
        Map<String, Object> input = new LinkedHashMap<>();
        Map<String, Object> order = new LinkedHashMap<>();
        input.put("required", inputs(s.requiredInputs()));
        order.put("required", s.requiredInputs().stream().map(InputSpec::name).toList());
        if (!s.optionalInputs().isEmpty()) {
            input.put("optional", inputs(s.optionalInputs()));
            order.put("optional", s.optionalInputs().stream().map(InputSpec::name).toList());
        }
        if (!s.hiddenInputs().isEmpty()) {
            Map<String, Object> hidden = new LinkedHashMap<>();
            s.hiddenInputs().forEach((name, kind) -> hidden.put(name, kind.name()));
            input.put("hidden", hidden);
            order.put("hidden", new ArrayList<>(s.hiddenInputs().keySet()));
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("input", input);
        info.put("input_order", order);
        info.put("is_input_list", s.inputIsList());
        info.put("output", s.outputs().stream().map(OutputSpec::type).toList());
        info.put("output_is_list", s.outputs().stream().map(OutputSpec::isList).toList());
        info.put("output_name", s.outputs().stream().map(OutputSpec::name).toList());
        info.put("output_tooltips", s.outputs().stream().map(OutputSpec::tooltip).toList());
        info.put("name", s.name());
        info.put("display_name", s.displayName());
        info.put("description", s.description());
        info.put("python_module", CORE_PACK.equals(node.packId()) ? "nodes" : "custom_nodes." + node.packId());
        info.put("category", s.category());
        info.put("output_node", s.outputNode());
        if (s.deprecated()) {
            info.put("deprecated", true);
        }
        if (s.experimental()) {
            info.put("experimental", true);
        }
        if (!s.searchAliases().isEmpty()) {
            info.put("search_aliases", s.searchAliases());
        }
        return info;
    }

    private static Map<String, Object> inputs(List<InputSpec> specs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (InputSpec spec : specs) {
            List<Object> pair = new ArrayList<>(2);
            pair.add(spec.isCombo() ? spec.comboOptions() : spec.type());
            if (!spec.options().isEmpty()) {
                pair.add(spec.options());
            }
            out.put(spec.name(), pair);
        }
        return out;
    }
}
