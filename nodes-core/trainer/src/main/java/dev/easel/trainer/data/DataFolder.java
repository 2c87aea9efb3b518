package dev.easel.trainer.data;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Where the emoji data lives by default: {@code emoji-data} in the trainer module's {@code target/} folder. */
public final class DataFolder {

    private DataFolder() {
    }

    /**
     * {@code <module>/target/emoji-data}, found from where this class was loaded (the trainer jar in
     * {@code target/}, or {@code target/classes} when run from the build), so it does not depend on the working
     * directory; {@code target/emoji-data} under the working directory when that cannot be told.
     */
    public static Path defaultFolder() {
        try {
            Path location = Path.of(DataFolder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path parent = location.getParent();
            if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("target")) {
                return parent.resolve("emoji-data"); // target/easel-trainer.jar or target/classes
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through: no usable code source (unusual class loaders)
        }
        return Path.of("target", "emoji-data").toAbsolutePath();
    }
}
