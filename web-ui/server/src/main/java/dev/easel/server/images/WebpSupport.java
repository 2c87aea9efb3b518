package dev.easel.server.images;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;

/**
 * Whether WebP can be encoded here. The encoder ({@code com.github.usefulness:webp-imageio}) is libwebp through JNI
 * with the native library bundled for Linux, macOS and Windows; on any other platform loading it fails, and previews
 * fall back to JPEG. Probed once, by encoding a one-pixel image.
 */
final class WebpSupport {

    private static final boolean AVAILABLE = probe();

    private WebpSupport() {
    }

    static boolean available() {
        return AVAILABLE;
    }

    private static boolean probe() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            return ImageIO.write(new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB), "webp", out) && out.size() > 0;
        } catch (Exception | LinkageError e) {
            return false;
        }
    }
}
