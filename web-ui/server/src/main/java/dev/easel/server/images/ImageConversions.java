package dev.easel.server.images;

import dev.easel.server.files.FileAccessException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * The image work behind {@code /view} and {@code /upload/mask}, as ComfyUI does it with PIL: decode (PNG, JPEG, GIF,
 * BMP, WebP), strip or extract the alpha channel, re-encode as a WebP or JPEG preview, and put a mask's alpha into an
 * image while keeping its PNG text chunks.
 */
public final class ImageConversions {

    /** PIL's decompression-bomb limit: larger images are refused before their pixels are allocated. */
    public static final long MAX_PIXELS = 89_478_485L;

    /**
     * An encoded image.
     *
     * @param contentType its MIME type ({@code image/png}, {@code image/webp}, {@code image/jpeg})
     */
    public record Encoded(byte[] bytes, String contentType) {
    }

    private ImageConversions() {
    }

    /**
     * Decodes an image file into 8-bit ARGB.
     *
     * @param what how to name it in an error, e.g. {@code "filename 'a.png'"}
     * @throws FileAccessException 400 when it is not an image this server can decode, or is too large
     */
    public static BufferedImage read(Path file, String what) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            return decode(in, what);
        } catch (IOException e) {
            throw new FileAccessException(400, what + " cannot be decoded as an image: " + e.getMessage());
        }
    }

    /** {@link #read(Path, String)} for a stream (an uploaded part). */
    public static BufferedImage read(InputStream content, String what) {
        try (ImageInputStream in = ImageIO.createImageInputStream(content)) {
            return decode(in, what);
        } catch (IOException e) {
            throw new FileAccessException(400, what + " cannot be decoded as an image: " + e.getMessage());
        }
    }

    private static BufferedImage decode(ImageInputStream in, String what) throws IOException {
        Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
        if (readers == null || !readers.hasNext()) {
            throw new FileAccessException(400, what + " is not an image this server can decode (PNG, JPEG, WebP, "
                    + "GIF, BMP)");
        }
        ImageReader reader = readers.next();
        try {
            reader.setInput(in, true, true);
            long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
            if (pixels > MAX_PIXELS) {
                throw new FileAccessException(400, what + " has " + pixels + " pixels, more than the " + MAX_PIXELS
                        + " this server decodes");
            }
            return argb(reader.read(0));
        } catch (RuntimeException e) {
            if (e instanceof FileAccessException) {
                throw e;
            }
            // decoders throw unchecked exceptions on corrupt data
            throw new FileAccessException(400, what + " cannot be decoded as an image: " + e);
        } finally {
            reader.dispose();
        }
    }

    /** The pixels as 8-bit non-premultiplied ARGB (opaque when the image has no alpha). */
    static BufferedImage argb(BufferedImage image) {
        return image.getType() == BufferedImage.TYPE_INT_ARGB ? image : copyAs(image, BufferedImage.TYPE_INT_ARGB);
    }

    /** {@code channel=rgb}: the colour channels only (alpha dropped, not composited, as PIL's split/merge). */
    public static BufferedImage withoutAlpha(BufferedImage image) {
        return copyAs(image, BufferedImage.TYPE_INT_RGB);
    }

    /** The pixels of {@code image} in a new image of {@code type} (an ARGB-compatible {@code TYPE_INT_*}). */
    private static BufferedImage copyAs(BufferedImage image, int type) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, type);
        out.setRGB(0, 0, w, h, image.getRGB(0, 0, w, h, null, 0, w), 0, w);
        return out;
    }

    /**
     * {@code channel=a}: as ComfyUI, an RGBA image whose colour is black and whose alpha is the image's alpha
     * (fully opaque when it has none).
     */
    public static BufferedImage alphaOnly(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] px = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < px.length; i++) {
            px[i] &= 0xff000000;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        out.setRGB(0, 0, w, h, px, 0, w);
        return out;
    }

    /**
     * {@code /upload/mask}: {@code original} with its alpha replaced by {@code mask}'s alpha, as a PNG.
     *
     * @throws FileAccessException 400 when the sizes differ
     */
    public static BufferedImage replaceAlpha(BufferedImage original, BufferedImage mask) {
        int w = original.getWidth();
        int h = original.getHeight();
        if (mask.getWidth() != w || mask.getHeight() != h) {
            throw new FileAccessException(400, "the mask is " + mask.getWidth() + "x" + mask.getHeight()
                    + " but the original image is " + w + "x" + h);
        }
        int[] px = original.getRGB(0, 0, w, h, null, 0, w);
        int[] alpha = mask.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < px.length; i++) {
            px[i] = (px[i] & 0x00ffffff) | (alpha[i] & 0xff000000);
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        out.setRGB(0, 0, w, h, px, 0, w);
        return out;
    }

    public static Encoded png(BufferedImage image) {
        return encode(image, "png", null, "image/png");
    }

    /** {@link #png} with the given PNG text chunks (from {@link PngTextChunks#read}). */
    public static Encoded png(BufferedImage image, List<byte[]> textChunks) {
        return new Encoded(PngTextChunks.insert(png(image).bytes(), textChunks), "image/png");
    }

    /**
     * A {@code preview=format;quality} rendering: {@code webp} (keeps alpha) or {@code jpeg} (alpha dropped).
     * When no WebP encoder can be loaded on this platform, the WebP request is answered with a JPEG and its own
     * Content-Type; clients decode previews by content.
     *
     * @param quality 0 to 100
     */
    public static Encoded preview(BufferedImage image, String format, int quality) {
        float q = Math.max(0, Math.min(100, quality)) / 100f;
        if (format.equals("webp")) {
            Encoded webp = WebpSupport.available() ? encode(image, "webp", q, "image/webp") : null;
            if (webp != null) {
                return webp;
            }
        }
        return encode(withoutAlpha(image), "jpeg", q, "image/jpeg");
    }

    private static Encoded encode(BufferedImage image, String format, Float quality, String contentType) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        if (!writers.hasNext()) {
            throw new IllegalStateException("no ImageIO writer for " + format);
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (quality != null && param.canWriteCompressed()) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                String[] types = param.getCompressionTypes();
                if (types != null && types.length > 0) {
                    param.setCompressionType(lossy(types));
                }
                param.setCompressionQuality(quality);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + format, e);
        } finally {
            writer.dispose();
        }
        return new Encoded(bytes.toByteArray(), contentType);
    }

    private static String lossy(String[] types) {
        for (String t : types) {
            if (t.toLowerCase(Locale.ROOT).contains("lossy")) {
                return t;
            }
        }
        return types[0];
    }
}
