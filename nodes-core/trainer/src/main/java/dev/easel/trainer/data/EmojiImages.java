package dev.easel.trainer.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Reads an emoji PNG and flattens its transparency onto a white background. */
public final class EmojiImages {

    /** Width and height of every training image. */
    public static final int SIZE = 64;

    /** Bytes of one image as {@link #onWhite} returns it: 3 planes of {@code SIZE × SIZE}. */
    public static final int BYTES = 3 * SIZE * SIZE;

    private EmojiImages() {
    }

    /**
     * The image composited on white, as planar RGB bytes ({@code [3, 64, 64]}, channel first, the layout of the
     * dataset tensor): each channel is {@code c·α + 255·(1 − α)}, rounded, with α the pixel's alpha in 0..1.
     *
     * @throws IOException naming the file when it cannot be read, is not an image, or is not 64×64
     */
    public static byte[] onWhite(Path png) throws IOException {
        BufferedImage image;
        try {
            image = ImageIO.read(png.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(png + ": cannot read the image (" + e.getMessage() + ")", e);
        }
        if (image == null) {
            throw new IOException(png + ": not an image javax.imageio can read");
        }
        if (image.getWidth() != SIZE || image.getHeight() != SIZE) {
            throw new IOException(png + ": expected " + SIZE + "×" + SIZE + " pixels, found "
                    + image.getWidth() + "×" + image.getHeight());
        }
        // getRGB gives non-premultiplied sRGB ARGB whatever the PNG's color type (palette, gray, 16-bit).
        int[] argb = image.getRGB(0, 0, SIZE, SIZE, null, 0, SIZE);
        int plane = SIZE * SIZE;
        byte[] rgb = new byte[BYTES];
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            int alpha = p >>> 24;
            rgb[i] = blend((p >> 16) & 0xFF, alpha);
            rgb[plane + i] = blend((p >> 8) & 0xFF, alpha);
            rgb[2 * plane + i] = blend(p & 0xFF, alpha);
        }
        return rgb;
    }

    /** {@code c·a/255 + 255·(255 − a)/255}, rounded half up, in integers. */
    private static byte blend(int channel, int alpha) {
        return (byte) ((channel * alpha + 255 * (255 - alpha) + 127) / 255);
    }
}
