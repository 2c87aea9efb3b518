package dev.easel.node;

/**
 * One output of a node.
 *
 * @param type    the type name ({@code LATENT}, {@code INT}, ...)
 * @param name    the display name (defaults to the type)
 * @param isList  when true, each call returns a list for this output and the lists are joined
 *                (ComfyUI's {@code OUTPUT_IS_LIST})
 * @param tooltip a short description, or {@code null}
 */
public record OutputSpec(String type, String name, boolean isList, String tooltip) {

    public OutputSpec {
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("output type must not be blank");
        }
        if (name == null || name.isBlank()) {
            name = type;
        }
    }

    public static OutputSpec of(String type) {
        return new OutputSpec(type, type, false, null);
    }

    public static OutputSpec of(String type, String name) {
        return new OutputSpec(type, name, false, null);
    }

    public OutputSpec asList() {
        return new OutputSpec(type, name, true, tooltip);
    }

    public OutputSpec withTooltip(String text) {
        return new OutputSpec(type, name, isList, text);
    }
}
