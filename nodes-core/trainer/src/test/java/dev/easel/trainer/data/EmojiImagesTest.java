package dev.easel.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmojiImagesTest {

    private static final int PLANE = EmojiImages.SIZE * EmojiImages.SIZE;

    @TempDir
    Path dir;

    @Test
    void transparentIsWhiteOpaqueIsTheColourAndHalfAlphaBlends() throws IOException {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, argb(0, 10, 20, 30));     // transparent: white whatever the colour
        image.setRGB(1, 0, argb(255, 10, 20, 30));   // opaque: the colour
        image.setRGB(2, 0, argb(128, 100, 200, 0));  // half: (c·128 + 255·127) / 255
        image.setRGB(5, 7, argb(255, 1, 2, 3));      // a pixel elsewhere, to check the planar layout
        Path png = dir.resolve("a.png");
        EmojiFixture.writePng(png, image);

        byte[] rgb = EmojiImages.onWhite(png);

        assertEquals(3 * PLANE, rgb.length);
        assertPixel(rgb, 0, 0, 255, 255, 255);
        assertPixel(rgb, 1, 0, 10, 20, 30);
        assertPixel(rgb, 2, 0, 177, 227, 127); // 45185/255=177.2, 57985/255=227.4, 32385/255=127.0
        assertPixel(rgb, 5, 7, 1, 2, 3);
        assertPixel(rgb, 63, 63, 255, 255, 255); // untouched pixels of a new ARGB image are transparent
    }

    @Test
    void everyAlphaMatchesTheBlendFormula() throws IOException {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
        for (int a = 0; a < 256; a++) {
            image.setRGB(a % 64, a / 64, argb(a, 200, 50, 0));
        }
        Path png = dir.resolve("alpha.png");
        EmojiFixture.writePng(png, image);
        byte[] rgb = EmojiImages.onWhite(png);
        for (int a = 0; a < 256; a++) {
            int i = a; // x + 64·y with x = a % 64, y = a / 64
            double alpha = a / 255.0;
            assertEquals(Math.round(200 * alpha + 255 * (1 - alpha)), rgb[i] & 0xFF, "red at alpha " + a);
            assertEquals(Math.round(50 * alpha + 255 * (1 - alpha)), rgb[PLANE + i] & 0xFF, "green at alpha " + a);
            assertEquals(Math.round(255 * (1 - alpha)), rgb[2 * PLANE + i] & 0xFF, "blue at alpha " + a);
        }
    }

    @Test
    void aBadFileIsReportedByName() throws IOException {
        Path text = Files.writeString(dir.resolve("broken.png"), "not a png");
        IOException e = assertThrows(IOException.class, () -> EmojiImages.onWhite(text));
        assertTrue(e.getMessage().contains(text.toString()), e.getMessage());

        Path missing = dir.resolve("missing.png");
        e = assertThrows(IOException.class, () -> EmojiImages.onWhite(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());

        Path small = dir.resolve("small.png");
        EmojiFixture.writePng(small, new BufferedImage(32, 32, BufferedImage.TYPE_INT_ARGB));
        e = assertThrows(IOException.class, () -> EmojiImages.onWhite(small));
        assertTrue(e.getMessage().contains(small.toString()) && e.getMessage().contains("32×32"), e.getMessage());
    }

    private static int argb(int a, int r, int g, int b) {
        return a << 24 | r << 16 | g << 8 | b;
    }

    private static void assertPixel(byte[] rgb, int x, int y, int r, int g, int b) {
        int i = y * EmojiImages.SIZE + x;
        assertEquals(r, rgb[i] & 0xFF, "red at " + x + "," + y);
        assertEquals(g, rgb[PLANE + i] & 0xFF, "green at " + x + "," + y);
        assertEquals(b, rgb[2 * PLANE + i] & 0xFF, "blue at " + x + "," + y);
    }
}
