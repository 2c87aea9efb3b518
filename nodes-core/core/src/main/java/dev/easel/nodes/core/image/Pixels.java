package dev.easel.nodes.core.image;

import java.awt.image.BufferedImage;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Decoded pixels to tensors. */
final class Pixels {

    private Pixels() {
    }

    /**
     * The image as float32 {@code [H, W, 4]} RGBA in 0..1 (sRGB through {@link BufferedImage#getRGB}, so palette and
     * 16-bit images come out as 8-bit values as PIL's {@code convert("RGBA")} gives them); opaque images get alpha 1.
     */
    static Tensor rgba(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        float[] values = new float[w * h * 4];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            values[4 * i] = ((p >> 16) & 0xFF) / 255f;
            values[4 * i + 1] = ((p >> 8) & 0xFF) / 255f;
            values[4 * i + 2] = (p & 0xFF) / 255f;
            values[4 * i + 3] = ((p >>> 24) & 0xFF) / 255f;
        }
        try (FloatPointer data = new FloatPointer(values)) {
            return torch.from_blob(data, new long[] {h, w, 4}, new TensorOptions(torch.ScalarType.Float)).clone();
        }
    }
}
