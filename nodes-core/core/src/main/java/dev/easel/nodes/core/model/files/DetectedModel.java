package dev.easel.nodes.core.model.files;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What {@link ModelDetector} found in a state dict.
 *
 * @param family the kind of model
 * @param components each part present, with the key prefix its weights are under (for example
 *        {@code UNET -> "model.diffusion_model."}; {@code ""} for a bare file); unmodifiable
 * @param variant details beyond the family, such as {@code "inpainting"}, {@code "kohya"}, {@code "peft"} or
 *        {@code "diffusers layout"}; {@code ""} when there are none
 */
public record DetectedModel(ModelFamily family, Map<ModelComponent, String> components, String variant) {

    public DetectedModel {
        EnumMap<ModelComponent, String> copy = new EnumMap<>(ModelComponent.class);
        copy.putAll(components);
        components = Collections.unmodifiableMap(copy);
        variant = variant == null ? "" : variant;
    }

    /** True when the file holds {@code component}. */
    public boolean has(ModelComponent component) {
        return components.containsKey(component);
    }

    /** The key prefix of {@code component}, or {@code null} when the file does not hold it. */
    public String prefix(ModelComponent component) {
        return components.get(component);
    }

    /** For example {@code "Stable Diffusion 1.x (inpainting) [UNET, TEXT_ENCODER, VAE]"}. */
    public String describe() {
        return family.displayName() + (variant.isEmpty() ? "" : " (" + variant + ")") + " " + components.keySet();
    }
}
