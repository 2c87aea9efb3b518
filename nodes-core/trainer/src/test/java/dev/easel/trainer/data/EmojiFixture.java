package dev.easel.trainer.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A tiny installed-packages folder as {@link EmojiFetch} leaves it, written by the tests: both packages at the pinned
 * version with one synthetic {@code emoji.json} (normal emoji, single- and two-tone skin variations, missing images,
 * obsolete entries, a missing name, out-of-order entries and keys) and a 64×64 RGBA PNG for each listed image.
 */
final class EmojiFixture {

    /** Listed out of sort_order, with skin_variations keys out of order, to check the catalog sorts. */
    static final String EMOJI_JSON = """
            [
              {"name": "THUMBS UP SIGN", "short_name": "+1", "image": "1f44d.png", "category": "People & Body",
               "sort_order": 3, "has_img_google": true, "has_img_twitter": true,
               "skin_variations": {
                 "1F3FF": {"unified": "1F44D-1F3FF", "image": "1f44d-1f3ff.png", "has_img_google": true, "has_img_twitter": true},
                 "1F3FD": {"unified": "1F44D-1F3FD", "image": "1f44d-1f3fd.png", "has_img_google": true, "has_img_twitter": true,
                           "obsoleted_by": "1F44D-1F3FE"},
                 "1F3FB": {"unified": "1F44D-1F3FB", "image": "1f44d-1f3fb.png", "has_img_google": true, "has_img_twitter": false}
               }},
              {"name": "RUNNER", "short_name": "runner", "image": "1f3c3.png", "category": "People & Body",
               "sort_order": 0, "has_img_google": true, "has_img_twitter": true, "obsoleted_by": "1F3C3-200D-2642-FE0F"},
              {"name": "GRINNING FACE", "short_name": "grinning", "image": "1f600.png", "category": "Smileys & Emotion",
               "sort_order": 1, "has_img_google": true, "has_img_twitter": true, "skin_variations": null},
              {"name": null, "short_name": "man_in_tuxedo", "image": "1f935.png", "category": "People & Body",
               "sort_order": 4, "has_img_google": true, "has_img_twitter": false},
              {"name": "NO PICTURE", "short_name": "no_picture", "image": "1fae9.png", "category": "Symbols",
               "sort_order": 5, "has_img_google": false, "has_img_twitter": false},
              {"name": "HANDSHAKE", "short_name": "handshake", "image": "1f91d.png", "category": "People & Body",
               "sort_order": 2, "has_img_google": true, "has_img_twitter": true,
               "skin_variations": {
                 "1F3FD-1F3FD": {"image": "1f91d-1f3fd.png", "has_img_google": true, "has_img_twitter": true},
                 "1F3FB-1F3FC": {"image": "1faf1-1f3fb-200d-1faf2-1f3fc.png", "has_img_google": true, "has_img_twitter": true}
               }}
            ]
            """;

    /** The Google captions the catalog must make from {@link #EMOJI_JSON}, in order. */
    static final List<String> GOOGLE_CAPTIONS = List.of(
            "grinning face, google style",
            "handshake, google style",
            "handshake, light skin tone, medium-light skin tone, google style",
            "handshake, medium skin tone, google style",
            "thumbs up sign, google style",
            "thumbs up sign, light skin tone, google style",
            "thumbs up sign, dark skin tone, google style",
            "man in tuxedo, google style");

    /** The Twitter captions, in order (no light thumbs up, no tuxedo: no Twitter image). */
    static final List<String> TWITTER_CAPTIONS = List.of(
            "grinning face, twitter style",
            "handshake, twitter style",
            "handshake, light skin tone, medium-light skin tone, twitter style",
            "handshake, medium skin tone, twitter style",
            "thumbs up sign, twitter style",
            "thumbs up sign, dark skin tone, twitter style");

    /** Every image file named in {@link #EMOJI_JSON}. */
    private static final List<String> IMAGES = List.of("1f44d.png", "1f44d-1f3ff.png", "1f44d-1f3fd.png",
            "1f44d-1f3fb.png", "1f3c3.png", "1f600.png", "1f935.png", "1f91d.png", "1f91d-1f3fd.png",
            "1faf1-1f3fb-200d-1faf2-1f3fc.png");

    private EmojiFixture() {
    }

    /** Writes the fixture into {@code dataDir}; returns it. */
    static Path write(Path dataDir) throws IOException {
        for (EmojiSet set : EmojiSet.values()) {
            Path folder = EmojiFetch.packageFolder(dataDir, set);
            Files.createDirectories(set.imageFolder(folder));
            Files.writeString(folder.resolve("package.json"),
                    "{\"name\": \"" + set.packageName() + "\", \"version\": \"" + EmojiFetch.VERSION + "\"}");
            Files.writeString(folder.resolve("emoji.json"), EMOJI_JSON);
            for (int i = 0; i < IMAGES.size(); i++) {
                writePng(set.imageFolder(folder).resolve(IMAGES.get(i)), image(set.ordinal() * 100 + i));
            }
        }
        return dataDir;
    }

    /**
     * A 64×64 ARGB image that differs per {@code seed}: colours vary with position and seed, alpha runs through
     * 0..255 along x (so x = 0 is fully transparent, x = 63 nearly opaque), and row 0 is fully opaque.
     */
    static BufferedImage image(int seed) {
        BufferedImage image = new BufferedImage(EmojiImages.SIZE, EmojiImages.SIZE, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < EmojiImages.SIZE; y++) {
            for (int x = 0; x < EmojiImages.SIZE; x++) {
                int alpha = y == 0 ? 255 : x * 4;
                int r = (seed * 37 + x * 3) & 0xFF;
                int g = (seed * 11 + y * 5) & 0xFF;
                int b = (seed * 53 + x + y) & 0xFF;
                image.setRGB(x, y, alpha << 24 | r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    static void writePng(Path file, BufferedImage image) throws IOException {
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
    }
}
