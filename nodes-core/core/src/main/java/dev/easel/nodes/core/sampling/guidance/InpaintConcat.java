package dev.easel.nodes.core.sampling.guidance;

import dev.easel.nodes.core.vae.LatentFormat;
import dev.easel.runtime.TensorRef;
import java.util.Arrays;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The extra input channels of an inpainting UNet (the SD inpainting checkpoints: 4 latent + 1 mask + 4 masked-image
 * latent = 9 channels; Rombach et al. 2022, §4.5): {@code [mask, masked image latent]} concatenated after the
 * c_in-scaled latent, as the reference builds them for each conditioning entry:
 * <ul>
 *   <li>mask: the entry's {@code concat_mask} (InpaintModelConditioning), else the sampling's noise mask; first
 *       channel, resized bilinearly to the latent, rounded to 0/1; without either, ones (inpaint everything);</li>
 *   <li>masked image: the entry's {@code concat_latent_image} scaled into model space (resized bilinearly when its
 *       size differs), else the sampled latent image itself; without a mask at all, the latent of a black image
 *       (the reference's "blank inpaint image").</li>
 * </ul>
 */
public final class InpaintConcat {

    /** Channels an inpainting UNet takes beyond the latent's. */
    public static final int EXTRA_CHANNELS = 5;

    /** A black image's SD1.x/SDXL latent, per channel, in model space (the reference's blank inpaint image). */
    private static final double[] BLANK_LATENT = {0.8223, -0.6876, 0.6364, 0.1380};

    private InpaintConcat() {
    }

    /**
     * The extra channels [B, 5, h, w] for one conditioning entry, attached to the caller's scope.
     *
     * @param options the entry's options
     * @param latentImage the sampled latent image, model space [B, 4, h, w]
     * @param denoiseMask the sampling's noise mask at latent size [B, 4, h, w], or {@code null}
     * @param format the latent format (scales {@code concat_latent_image})
     */
    public static Tensor of(Map<String, Object> options, Tensor latentImage, Tensor denoiseMask, LatentFormat format) {
        long batch = latentImage.size(0);
        long h = latentImage.size(2);
        long w = latentImage.size(3);
        Tensor mask = denoiseMask;
        if (options.get("concat_mask") instanceof TensorRef m) {
            mask = m.tensor();
        }
        Tensor image = latentImage;
        if (options.get("concat_latent_image") instanceof TensorRef latent) {
            image = format.processIn(latent.tensor().to(latentImage));
            if (image.size(1) != latentImage.size(1)) {
                throw new IllegalArgumentException("concat_latent_image has " + image.size(1)
                        + " channels; the sampled latent " + latentImage.size(1));
            }
            image = toBatch(resize(image, h, w), batch);
        }
        Tensor maskChannel;
        if (mask == null) {
            maskChannel = torch.ones(batch, 1, h, w).to(latentImage);
            image = blankImage(latentImage);
        } else {
            Tensor m = mask.to(latentImage);
            if (m.dim() == 4) {
                m = m.narrow(1, 0, 1);
            }
            m = m.reshape(-1, 1, m.size(-2), m.size(-1));
            maskChannel = toBatch(resize(m, h, w).round(), batch);
        }
        return torch.cat(new TensorVector(maskChannel, image), 1);
    }

    private static Tensor blankImage(Tensor like) {
        if (like.size(1) != BLANK_LATENT.length) {
            throw new IllegalArgumentException("no blank inpaint image for " + like.size(1) + "-channel latents");
        }
        Tensor blank = torch.ones_like(like);
        for (int c = 0; c < BLANK_LATENT.length; c++) {
            blank.narrow(1, c, 1).mul_(new Scalar(BLANK_LATENT[c]));
        }
        return blank;
    }

    private static Tensor resize(Tensor t, long h, long w) {
        if (t.size(2) == h && t.size(3) == w) {
            return t;
        }
        return torch.upsample_bilinear2d(t, new long[] {h, w}, false);
    }

    private static Tensor toBatch(Tensor t, long batch) {
        long n = t.size(0);
        if (n == batch) {
            return t;
        }
        if (n > batch) {
            return t.narrow(0, 0, batch);
        }
        long[] repeats = new long[(int) t.dim()];
        Arrays.fill(repeats, 1);
        repeats[0] = (batch + n - 1) / n;
        return t.repeat(repeats).narrow(0, 0, batch);
    }
}
