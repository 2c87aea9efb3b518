package dev.easel.engine.workflow.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.node.InputSpec;
import dev.easel.node.NodeSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a node's {@code widgets_values} to its input names, the way ComfyUI's editor lays its widgets out: one widget
 * per widget-typed input without {@code forceInput}, in schema order (required, then optional); after a widget with
 * {@code control_after_generate} the editor adds its own "control" widget, and after the required inputs of a node
 * whose {@code image} input has {@code image_upload} an "upload" button; both hold UI-only values that are skipped.
 * Some custom nodes save an object keyed by input name instead, which is read by name.
 */
final class WidgetValues {

    private WidgetValues() {
    }

    /** True when the editor shows a widget for this input (and so saves a value for it in {@code widgets_values}). */
    static boolean hasWidget(InputSpec input) {
        return input.isWidget() && !truthy(input.options().get("forceInput"));
    }

    /**
     * The saved value of each widget input by name. Missing values (too few, or JSON null) are left out so defaults
     * or validation apply; values past the last widget are ignored.
     */
    static Map<String, JsonNode> byInputName(NodeSchema schema, JsonNode widgetsValues) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        if (widgetsValues == null) {
            return values;
        }
        if (widgetsValues.isObject()) {
            for (InputSpec input : schema.inputs()) {
                put(values, input.name(), widgetsValues.get(input.name()));
            }
            return values;
        }
        int position = 0;
        position = readPositional(schema.requiredInputs(), widgetsValues, position, values);
        if (schema.requiredInputs().stream().anyMatch(i -> "image".equals(i.name())
                && truthy(i.options().get("image_upload")))) {
            position++; // the editor's upload button, added after the required inputs
        }
        readPositional(schema.optionalInputs(), widgetsValues, position, values);
        return values;
    }

    private static int readPositional(List<InputSpec> inputs, JsonNode array, int position,
            Map<String, JsonNode> values) {
        for (InputSpec input : inputs) {
            if (!hasWidget(input)) {
                continue;
            }
            put(values, input.name(), array.get(position++));
            if (truthy(input.options().get("control_after_generate"))) {
                position++; // "randomize" / "fixed" / true: the editor's control widget, never sent to the server
            }
        }
        return position;
    }

    private static void put(Map<String, JsonNode> values, String name, JsonNode value) {
        if (value != null && !value.isNull() && !value.isMissingNode()) {
            values.put(name, value);
        }
    }

    private static boolean truthy(Object option) {
        return option != null && !Boolean.FALSE.equals(option);
    }
}
