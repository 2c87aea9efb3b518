package dev.easel.nodes.core.vae;

import java.util.Arrays;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * How a model family's latent space relates to its VAE's: LATENT values hold VAE-space latents, the diffusion model
 * works on {@code model space = VAE space × scaleFactor} (ComfyUI's {@code process_in}; {@code process_out} divides).
 * Also the cheap latent→RGB preview matrix ComfyUI uses for sampler previews.
 *
 * @param name family name as ComfyUI's {@code latent_formats} spells it
 * @param scaleFactor the VAE latent scale (0.18215 for SD1.x)
 * @param latentChannels channels of a latent
 * @param rgbFactors the {@code latentChannels × 3} preview matrix in row-major order (row = latent channel, columns
 *     R, G, B), or an empty array when the family has none
 */
public record LatentFormat(String name, double scaleFactor, int latentChannels, double[] rgbFactors) {

    /** SD1.x (and SD2.x) latents, with ComfyUI's SD15 preview factors. */
    public static final LatentFormat SD15 = new LatentFormat("SD15", 0.18215, 4, new double[] {
        //  R        G        B
        0.3512, 0.2297, 0.3227,
        0.3250, 0.4974, 0.2350,
        -0.2829, 0.1762, 0.2721,
        -0.2120, -0.2616, -0.7177,
    });

    /** SDXL latents (same VAE architecture, scale 0.13025), with ComfyUI's SDXL preview factors. */
    public static final LatentFormat SDXL = new LatentFormat("SDXL", 0.13025, 4, new double[] {
        //  R        G        B
        0.3651, 0.4232, 0.4341,
        -0.2533, -0.0042, 0.1068,
        0.1076, 0.1111, -0.0362,
        -0.3165, -0.2492, -0.2188,
    });

    public LatentFormat {
        rgbFactors = rgbFactors.clone();
        if (rgbFactors.length != 0 && rgbFactors.length != latentChannels * 3) {
            throw new IllegalArgumentException("rgbFactors must be latentChannels x 3");
        }
    }

    @Override
    public double[] rgbFactors() {
        return rgbFactors.clone();
    }

    /** VAE space → model space: {@code latent × scaleFactor}. Call inside a PointerScope. */
    public Tensor processIn(Tensor vaeLatent) {
        return vaeLatent.mul(new Scalar(scaleFactor));
    }

    /** Model space → VAE space: {@code latent / scaleFactor}. Call inside a PointerScope. */
    public Tensor processOut(Tensor modelLatent) {
        return modelLatent.div(new Scalar(scaleFactor));
    }

    /**
     * ComfyUI's "latent2rgb" preview of one <b>model-space</b> latent image given as channel-major floats
     * {@code [C, h, w]}: each cell's channels times {@link #rgbFactors}, then {@code clamp((x + 1) / 2, 0, 1)}; returns
     * RGB in 0..1, {@code [h, w, 3]} row-major (one pixel per latent cell). Plain Java: a preview is a few thousand
     * cells, cheaper here than as a chain of small tensor ops.
     *
     * @throws UnsupportedOperationException when the format has no preview factors
     */
    public float[] previewRgb(float[] chw, int height, int width) {
        if (rgbFactors.length == 0) {
            throw new UnsupportedOperationException(name + " has no latent preview factors");
        }
        int cells = height * width;
        if (chw.length != latentChannels * cells) {
            throw new IllegalArgumentException("expected " + latentChannels + " x " + height + " x " + width
                    + " latent values, got " + chw.length);
        }
        float[] rgb = new float[cells * 3];
        for (int cell = 0; cell < cells; cell++) {
            for (int k = 0; k < 3; k++) {
                double v = 0;
                for (int c = 0; c < latentChannels; c++) {
                    v += chw[c * cells + cell] * rgbFactors[c * 3 + k];
                }
                rgb[cell * 3 + k] = (float) Math.max(0.0, Math.min(1.0, (v + 1.0) / 2.0));
            }
        }
        return rgb;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatentFormat other && name.equals(other.name) && scaleFactor == other.scaleFactor
                && latentChannels == other.latentChannels && Arrays.equals(rgbFactors, other.rgbFactors);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(rgbFactors);
    }

    @Override
    public String toString() {
        return "LatentFormat[" + name + ", scale " + scaleFactor + "]";
    }
}
