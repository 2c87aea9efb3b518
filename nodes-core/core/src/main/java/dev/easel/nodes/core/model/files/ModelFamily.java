package dev.easel.nodes.core.model.files;

/** The kinds of model file {@link ModelDetector} recognises. */
public enum ModelFamily {
    SD1("Stable Diffusion 1.x"),
    SD2("Stable Diffusion 2.x"),
    SDXL("Stable Diffusion XL (base)"),
    SDXL_REFINER("Stable Diffusion XL refiner"),
    CONTROLNET("ControlNet"),
    LORA("LoRA"),
    VAE("VAE");

    private final String displayName;

    ModelFamily(String displayName) {
        this.displayName = displayName;
    }

    /** A human-readable name, for messages. */
    public String displayName() {
        return displayName;
    }
}
