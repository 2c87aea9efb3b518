package dev.easel.engine.validation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One error in ComfyUI's shape: {@code {type, message, details, extra_info}} (api-contract §2.2).
 *
 * @param type      a ComfyUI error type such as {@code required_input_missing}
 * @param message   a short sentence
 * @param details   specifics (usually the input name and the value)
 * @param extraInfo structured data; {@code input_name} for input errors
 */
public record ValidationError(String type, String message, String details, Map<String, Object> extraInfo) {

    public ValidationError {
        extraInfo = Collections.unmodifiableMap(new LinkedHashMap<>(extraInfo));
    }

    /** The input this error is about, or {@code null}. */
    public String inputName() {
        Object name = extraInfo.get("input_name");
        return name == null ? null : name.toString();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("type", type);
        json.put("message", message);
        json.put("details", details);
        json.put("extra_info", extraInfo);
        return json;
    }

    @Override
    public String toString() {
        return message + (details == null || details.isEmpty() ? "" : ": " + details);
    }
}
