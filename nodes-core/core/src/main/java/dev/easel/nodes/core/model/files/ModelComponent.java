package dev.easel.nodes.core.model.files;

/** The parts of a model file {@link ModelDetector} reports, each found under a key prefix. */
public enum ModelComponent {
    /** The diffusion model (LDM {@code openaimodel} layout). */
    UNET,
    /** The (first) text encoder: CLIP ViT-L for SD1.x and SDXL base, OpenCLIP ViT-H for SD2.x. */
    TEXT_ENCODER,
    /** SDXL's OpenCLIP ViT-bigG text encoder (the only one of the refiner). */
    TEXT_ENCODER_2,
    /** The autoencoder (LDM layout unless the model's variant says otherwise). */
    VAE,
    /** A ControlNet's control model. */
    CONTROLNET,
    /** LoRA weights for the diffusion model. */
    LORA_UNET,
    /** LoRA weights for the text encoder(s). */
    LORA_TEXT_ENCODER
}
