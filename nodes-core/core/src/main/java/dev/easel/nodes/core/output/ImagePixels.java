package dev.easel.nodes.core.output;

import dev.easel.nodes.core.tensor.TensorOps;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/** One IMAGE of a batch as an 8-bit {@link BufferedImage} (gray, gray+alpha, RGB or RGBA by channel count). */
final class ImagePixels {

    private ImagePixels() {
    }

    /**
     * @param hwc one image, {@code [height, width, channels]}, values 0..1 (converted as ComfyUI does: truncated)
     */
    static BufferedImage toBufferedImage(Tensor hwc) {
        int height = (int) hwc.size(0);
        int width = (int) hwc.size(1);
        int channels = (int) hwc.size(2);
        byte[] data = new byte[Math.multiplyExact(Math.multiplyExact(height, width), channels)];
        // The byte copy is freed right away instead of living until the node's scope ends: batches can be large.
        try (PointerScope scope = new PointerScope()) {
            Tensor bytes = TensorOps.toBytes(hwc).cpu().contiguous();
            bytes.data_ptr_byte().get(data);
        }
        boolean alpha = channels == 2 || channels == 4;
        ColorSpace space = ColorSpace.getInstance(channels >= 3 ? ColorSpace.CS_sRGB : ColorSpace.CS_GRAY);
        ComponentColorModel model = new ComponentColorModel(space, alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        int[] bandOffsets = new int[channels];
        for (int i = 0; i < channels; i++) {
            bandOffsets[i] = i;
        }
        WritableRaster raster = Raster.createInterleavedRaster(new DataBufferByte(data, data.length), width, height,
                width * channels, channels, bandOffsets, null);
        return new BufferedImage(model, raster, false, null);
    }
}
