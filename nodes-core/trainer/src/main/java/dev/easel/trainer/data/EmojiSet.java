package dev.easel.trainer.data;

import java.nio.file.Path;

/**
 * One image set of the emoji-datasource packages: its npm package, where its 64×64 images lie, the
 * {@code has_img_*} flag of {@code emoji.json} that says an emoji has an image in it, its style word for captions,
 * and the license of its images.
 */
public enum EmojiSet {
    GOOGLE("google", "Noto Emoji (Google)", "Apache-2.0", "https://github.com/googlefonts/noto-emoji/blob/main/LICENSE"),
    TWITTER("twitter", "Twemoji (Twitter)", "CC-BY-4.0", "https://github.com/jdecked/twemoji/blob/main/LICENSE-GRAPHICS");

    private final String id;
    private final String artwork;
    private final String license;
    private final String licenseUrl;

    EmojiSet(String id, String artwork, String license, String licenseUrl) {
        this.id = id;
        this.artwork = artwork;
        this.license = license;
        this.licenseUrl = licenseUrl;
    }

    /**
     * The set called {@code id} ({@code google}, {@code twitter}).
     *
     * @throws IllegalArgumentException for another name
     */
    public static EmojiSet byId(String id) {
        for (EmojiSet set : values()) {
            if (set.id.equals(id)) {
                return set;
            }
        }
        throw new IllegalArgumentException("unknown emoji set '" + id + "'");
    }

    /** The set's name as the packages spell it: {@code google}, {@code twitter}. */
    public String id() {
        return id;
    }

    /** The npm package that holds this set's images. */
    public String packageName() {
        return "emoji-datasource-" + id;
    }

    /** The {@code emoji.json} flag that is true when an emoji has an image in this set. */
    public String hasImageField() {
        return "has_img_" + id;
    }

    /** The caption's style suffix, e.g. {@code "google style"}. */
    public String style() {
        return id + " style";
    }

    /** Who drew the images, for credits. */
    public String artwork() {
        return artwork;
    }

    /** The SPDX id of the images' license. */
    public String license() {
        return license;
    }

    /** Where the images' license text is. */
    public String licenseUrl() {
        return licenseUrl;
    }

    /** The folder of this set's 64×64 PNGs inside its installed package folder. */
    public Path imageFolder(Path packageFolder) {
        return packageFolder.resolve("img").resolve(id).resolve("64");
    }
}
