package dev.easel.trainer.eval;

import dev.easel.trainer.data.EmojiImages;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A PNG grid for the model card: per prompt, the generated image, the nearest training image and the caption under
 * them (green when the nearest image shows the prompt's emoji). Drawn with java.awt, headless.
 */
public final class ContactSheet {

    /** Cells per row. */
    public static final int COLUMNS = 4;
    /** Each 64×64 image is drawn this many times larger (nearest neighbour, so pixels stay visible). */
    public static final int SCALE = 2;
    private static final int PAD = 8;
    private static final int TEXT_LINES = 2;
    private static final int LINE_HEIGHT = 14;
    /** Width of one cell: two images side by side. */
    public static final int CELL_WIDTH = 2 * EmojiImages.SIZE * SCALE + 3 * PAD;
    /** Height of one cell: the images and two caption lines. */
    public static final int CELL_HEIGHT = EmojiImages.SIZE * SCALE + 2 * PAD + TEXT_LINES * LINE_HEIGHT;
    private static final int HEADER = 24;

    /**
     * One tile.
     *
     * @param caption   the prompt
     * @param generated the generated image, planar RGB {@code [3, 64, 64]}
     * @param nearest   the nearest training image, same layout
     * @param match     whether the nearest image shows the prompt's emoji
     */
    public record Tile(String caption, byte[] generated, byte[] nearest, boolean match) {
    }

    private ContactSheet() {
    }

    /** The sheet's width in pixels. */
    public static int width() {
        return COLUMNS * CELL_WIDTH;
    }

    /** The sheet's height in pixels for {@code tiles} tiles. */
    public static int height(int tiles) {
        return HEADER + Math.max(1, (tiles + COLUMNS - 1) / COLUMNS) * CELL_HEIGHT;
    }

    /** Draws {@code tiles} under {@code title} and writes the PNG to {@code file}. */
    public static void write(String title, List<Tile> tiles, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage sheet = new BufferedImage(width(), height(tiles.size()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.drawString(title, PAD, HEADER - 8);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            int size = EmojiImages.SIZE * SCALE;
            for (int i = 0; i < tiles.size(); i++) {
                Tile tile = tiles.get(i);
                int x = (i % COLUMNS) * CELL_WIDTH;
                int y = HEADER + (i / COLUMNS) * CELL_HEIGHT;
                g.drawImage(image(tile.generated()), x + PAD, y + PAD, size, size, null);
                g.drawImage(image(tile.nearest()), x + 2 * PAD + size, y + PAD, size, size, null);
                g.setColor(tile.match() ? new Color(0, 120, 0) : new Color(150, 0, 0));
                int line = 0;
                for (String text : wrap(tile.caption(), g.getFontMetrics(), CELL_WIDTH - 2 * PAD)) {
                    g.drawString(text, x + PAD, y + size + PAD + (++line) * LINE_HEIGHT);
                }
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(sheet, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
    }

    /** A 64×64 RGB image of planar bytes. */
    static BufferedImage image(byte[] planar) {
        int plane = EmojiImages.SIZE * EmojiImages.SIZE;
        if (planar.length != 3 * plane) {
            throw new IllegalArgumentException("expected " + 3 * plane + " bytes, not " + planar.length);
        }
        BufferedImage image = new BufferedImage(EmojiImages.SIZE, EmojiImages.SIZE, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < plane; i++) {
            int rgb = (planar[i] & 0xFF) << 16 | (planar[plane + i] & 0xFF) << 8 | (planar[2 * plane + i] & 0xFF);
            image.setRGB(i % EmojiImages.SIZE, i / EmojiImages.SIZE, rgb);
        }
        return image;
    }

    /** The caption in at most {@link #TEXT_LINES} lines of {@code width} pixels, the last cut with "…". */
    static List<String> wrap(String text, FontMetrics metrics, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (metrics.stringWidth(candidate) <= width || line.isEmpty()) {
                line.setLength(0);
                line.append(candidate);
            } else {
                lines.add(line.toString());
                line.setLength(0);
                line.append(word);
            }
        }
        lines.add(line.toString());
        if (lines.size() > TEXT_LINES) {
            List<String> cut = new ArrayList<>(lines.subList(0, TEXT_LINES));
            cut.set(TEXT_LINES - 1, cut.get(TEXT_LINES - 1) + "…");
            return cut;
        }
        return lines;
    }
}
