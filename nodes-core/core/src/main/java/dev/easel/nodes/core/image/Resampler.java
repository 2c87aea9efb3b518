package dev.easel.nodes.core.image;

import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.kArea;
import org.bytedeco.pytorch.kBicubic;
import org.bytedeco.pytorch.kBilinear;
import org.bytedeco.pytorch.kNearestExact;

/**
 * ComfyUI's {@code comfy.utils.common_upscale} for {@code [B, C, H, W]} tensors: an optional centre crop to the
 * target aspect ratio, then {@code torch.nn.functional.interpolate} (or Pillow's Lanczos, see
 * {@link LanczosResampler}).
 */
public final class Resampler {

    private Resampler() {
    }

    /**
     * @param bchw       the images, channels first
     * @param centerCrop crop the source to the target aspect ratio first (ComfyUI's {@code crop="center"})
     */
    public static Tensor resize(Tensor bchw, long width, long height, UpscaleMethod method, boolean centerCrop) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("cannot resize to " + width + "x" + height + ": both sides must be at"
                    + " least 1 pixel");
        }
        Tensor source = centerCrop ? cropToAspect(bchw, width, height) : bchw;
        if (method == UpscaleMethod.LANCZOS) {
            return LanczosResampler.resize(source, width, height);
        }
        InterpolateFuncOptions options = new InterpolateFuncOptions();
        options.size().put(new LongVector(height, width));
        switch (method) {
            case NEAREST_EXACT -> options.mode().put(new kNearestExact());
            case BILINEAR -> options.mode().put(new kBilinear());
            case BICUBIC -> options.mode().put(new kBicubic());
            case AREA -> options.mode().put(new kArea());
            default -> throw new IllegalStateException("unhandled method " + method);
        }
        if (method != UpscaleMethod.AREA) {
            // F.interpolate's default; libtorch only warns when it is left unset, but area mode rejects it.
            options.align_corners().put(false);
        }
        return torch.interpolate(source, options);
    }

    /** The centre crop of {@code common_upscale}; Python's {@code round} rounds halves to even, as {@code rint}. */
    private static Tensor cropToAspect(Tensor bchw, long width, long height) {
        long oldWidth = bchw.size(3);
        long oldHeight = bchw.size(2);
        double oldAspect = (double) oldWidth / oldHeight;
        double newAspect = (double) width / height;
        long x = 0;
        long y = 0;
        if (oldAspect > newAspect) {
            x = (long) Math.rint((oldWidth - oldWidth * (newAspect / oldAspect)) / 2);
        } else if (oldAspect < newAspect) {
            y = (long) Math.rint((oldHeight - oldHeight * (oldAspect / newAspect)) / 2);
        }
        return bchw.narrow(2, y, oldHeight - y * 2).narrow(3, x, oldWidth - x * 2);
    }
}
