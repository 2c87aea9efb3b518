package dev.easel.nodes.core.value;

/** The socket type names of the tensor values, as ComfyUI spells them. */
public final class ValueTypes {

    /** A batch of images: {@code TensorRef} float32 {@code [B, H, W, C]}, 0..1. */
    public static final String IMAGE = "IMAGE";
    /** A batch of masks: {@code TensorRef} float32 {@code [B, H, W]}, 1 = masked. */
    public static final String MASK = "MASK";
    /** A batch of latents: {@link Latent}. */
    public static final String LATENT = "LATENT";
    /** A diffusion model: {@code dev.easel.nodes.core.sd.DiffusionModel}. */
    public static final String MODEL = "MODEL";
    /** A text encoder with its tokenizer: {@code dev.easel.nodes.core.sd.ClipModel}. */
    public static final String CLIP = "CLIP";
    /** An autoencoder: {@code dev.easel.nodes.core.sd.VaeModel}. */
    public static final String VAE = "VAE";
    /** Text conditioning: {@link Conditioning}. */
    public static final String CONDITIONING = "CONDITIONING";

    private ValueTypes() {
    }
}
