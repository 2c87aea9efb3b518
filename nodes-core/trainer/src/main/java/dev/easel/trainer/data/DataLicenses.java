package dev.easel.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code LICENSES.md} next to the data: which packages and image sets the model is trained on and under
 * which licenses, for the model card to quote.
 */
public final class DataLicenses {

    /** The file's name in the data folder. */
    public static final String FILE_NAME = "LICENSES.md";

    private DataLicenses() {
    }

    /** Writes {@code dataDir/LICENSES.md}; returns its path. */
    public static Path write(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        Files.writeString(file, text());
        return file;
    }

    /** The file's Markdown. */
    public static String text() {
        StringBuilder md = new StringBuilder();
        md.append("# Training data licenses\n\n")
                .append("Easel's default model is trained on the 64×64 emoji images of these npm packages ")
                .append("(images composited on white, captions made from the emoji names):\n\n")
                .append("| package | version | images | image license |\n")
                .append("|---|---|---|---|\n");
        for (EmojiSet set : EmojiSet.values()) {
            md.append("| `").append(set.packageName()).append("` | ").append(EmojiFetch.VERSION).append(" | ")
                    .append(set.artwork()).append(" | [").append(set.license()).append("](")
                    .append(set.licenseUrl()).append(") |\n");
        }
        md.append("\n- **Noto Emoji** images: Copyright Google Inc., licensed under the Apache License 2.0.\n")
                .append("- **Twemoji** graphics: Copyright Twitter, Inc. and other contributors, licensed under ")
                .append("CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/).\n")
                .append("- The packages themselves (`emoji.json`: names, categories, skin-tone variations) are ")
                .append("emoji-data by Cal Henderson, MIT license (https://github.com/iamcal/emoji-data).\n")
                .append("\nOnly the Google and Twitter image sets are used (not Apple's or Facebook's).\n");
        return md.toString();
    }
}
