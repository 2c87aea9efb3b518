package dev.easel.nodes.core.sampling;

import dev.easel.node.Preview;
import dev.easel.nodes.core.vae.LatentFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The fast preview sent with each sampler step: the first image of the denoised prediction through the latent
 * format's linear latent→RGB map (one pixel per latent cell), as a JPEG of the reference server's quality, like the
 * reference's "latent2rgb" previewer. One instance per sampling: it reuses its JPEG writer (it must be cheap next to a
 * model call, since it runs every step); {@link #close()} frees the writer. Not thread-safe.
 */
public final class LatentPreview implements AutoCloseable {

    /** The reference server's preview quality. */
    private static final float JPEG_QUALITY = 0.95f;

    private final LatentFormat format;
    private ImageWriter writer;

    public LatentPreview(LatentFormat format) {
        this.format = format;
    }

    /** The preview of a model-space latent [B, C, h, w], or null when the format has no preview map. */
    public Preview of(Tensor modelLatent) {
        if (format.rgbFactors().length == 0) {
            return null;
        }
        int height = (int) modelLatent.size(2);
        int width = (int) modelLatent.size(3);
        float[] chw = new float[(int) (modelLatent.size(1) * height * width)];
        try (PointerScope scope = new PointerScope()) {
            modelLatent.get(0).to(ScalarType.Float).cpu().contiguous().data_ptr_float().get(chw);
        }
        float[] rgb = format.previewRgb(chw, height, width);
        int[] packed = new int[height * width];
        for (int i = 0; i < packed.length; i++) {
            packed[i] = (byte8(rgb[3 * i]) << 16) | (byte8(rgb[3 * i + 1]) << 8) | byte8(rgb[3 * i + 2]);
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.getRaster().setDataElements(0, 0, width, height, packed);
        return new Preview(Preview.Format.JPEG, jpeg(image));
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.dispose();
            writer = null;
        }
    }

    private static int byte8(float unit) {
        return Math.round(unit * 255f);
    }

    private byte[] jpeg(BufferedImage image) {
        if (writer == null) {
            writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
