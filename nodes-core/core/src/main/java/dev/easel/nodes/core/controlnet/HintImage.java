package dev.easel.nodes.core.controlnet;

import dev.easel.nodes.core.image.Resampler;
import dev.easel.nodes.core.image.UpscaleMethod;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Turns an IMAGE into the hint a ControlNet reads, as the reference does: channels first, centre-cropped to the
 * latent's aspect ratio and resized with {@code nearest-exact} to 8× the latent's size, then broadcast to the batch.
 */
final class HintImage {

    /** Pixels per latent cell of the SD VAE: the hint has 8× the latent's resolution. */
    static final int SCALE = 8;

    private HintImage() {
    }

    /**
     * Checks that {@code image} is an IMAGE a ControlNet with {@code channels} hint channels can read.
     *
     * @throws IllegalArgumentException naming the node and input
     */
    static void check(Tensor image, long channels, String node, String input, String controlNet) {
        long[] shape = image.shape();
        if (shape.length != 4 || shape[3] != channels || shape[0] < 1 || shape[1] < 1 || shape[2] < 1) {
            throw new IllegalArgumentException(node + ": input '" + input + "' must be an IMAGE [batch, height, width, "
                    + channels + "] for ControlNet " + controlNet + ", got a tensor of shape "
                    + Arrays.toString(shape));
        }
    }

    /**
     * The hint [B, C, 8h, 8w] float32 for a latent of {@code h}×{@code w} cells.
     *
     * @param image IMAGE [B, H, W, C]
     */
    static Tensor resize(Tensor image, long h, long w) {
        Tensor bchw = image.to(ScalarType.Float).permute(0, 3, 1, 2);
        return Resampler.resize(bchw, w * SCALE, h * SCALE, UpscaleMethod.NEAREST_EXACT, true).contiguous();
    }

    /**
     * The hint for {@code batch} latents: a single image is left as is (it broadcasts); a batch of images is cut to
     * {@code batch}, or repeated cyclically when it is shorter (the reference's {@code broadcast_image_to}).
     */
    static Tensor toBatch(Tensor hint, long batch) {
        long n = hint.size(0);
        if (n == 1 || n == batch) {
            return hint;
        }
        if (n > batch) {
            return hint.narrow(0, 0, batch);
        }
        TensorVector parts = new TensorVector();
        for (long i = 0; i < batch / n; i++) {
            parts.push_back(hint);
        }
        if (batch % n != 0) {
            parts.push_back(hint.narrow(0, 0, batch % n));
        }
        return torch.cat(parts, 0);
    }
}
