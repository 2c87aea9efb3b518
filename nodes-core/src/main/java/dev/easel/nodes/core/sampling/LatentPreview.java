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
import javax.imageio.stream.ImageOutputStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The fast preview sent with each sampler step: the first image of the denoised prediction through the latent
 * format's linear latent→RGB map (one pixel per latent cell), as a JPEG, like the reference's "latent2rgb" previewer.
 */
public final class LatentPreview {

    /** The reference server's preview quality. */
    private static final float JPEG_QUALITY = 0.95f;

    private final LatentFormat format;

    public LatentPreview(LatentFormat format) {
        this.format = format;
    }

    /** The preview of a model-space latent [B, C, h, w], or null when the format has no preview map. */
    public Preview of(Tensor modelLatent) {
        if (format.rgbFactors().length == 0) {
            return null;
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor rgb = format.previewRgb(modelLatent.narrow(0, 0, 1)).get(0)
                    .mul(new Scalar(255.0)).round().to(ScalarType.Byte).contiguous();
            int height = (int) rgb.size(0);
            int width = (int) rgb.size(1);
            byte[] bytes = new byte[height * width * 3];
            rgb.data_ptr_byte().get(bytes);
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            for (int i = 0; i < width * height; i++) {
                int r = bytes[3 * i] & 0xff;
                int g = bytes[3 * i + 1] & 0xff;
                int b = bytes[3 * i + 2] & 0xff;
                image.setRGB(i % width, i / width, (r << 16) | (g << 8) | b);
            }
            return new Preview(Preview.Format.JPEG, jpeg(image));
        }
    }

    private static byte[] jpeg(BufferedImage image) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }
}
