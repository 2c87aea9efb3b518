package dev.easel.trainer.data;

import java.util.Objects;

/**
 * One training image: an emoji (or one of its skin-tone variations) drawn in one set.
 *
 * @param set the image set
 * @param image the PNG's file name in the set's 64×64 folder, e.g. {@code 1f600.png}
 * @param name the emoji's name in lower case, e.g. {@code grinning face}
 * @param skinTone the skin tone words, e.g. {@code medium skin tone}; empty for the emoji's default look
 * @param category the emoji's category in {@code emoji.json}, e.g. {@code Smileys & Emotion}
 */
public record EmojiEntry(EmojiSet set, String image, String name, String skinTone, String category) {

    public EmojiEntry {
        Objects.requireNonNull(set, "set");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(skinTone, "skinTone");
        Objects.requireNonNull(category, "category");
    }

    /** The training caption: name, skin tone when there is one, and style, e.g. {@code thumbs up sign, dark skin tone, twitter style}. */
    public String caption() {
        return name + (skinTone.isEmpty() ? "" : ", " + skinTone) + ", " + set.style();
    }
}
