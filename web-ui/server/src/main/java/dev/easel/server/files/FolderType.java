package dev.easel.server.files;

import dev.easel.node.Folders;
import java.nio.file.Path;
import java.util.Locale;

/** The three data folders a client may name in {@code type=}: {@code output}, {@code input} and {@code temp}. */
public enum FolderType {
    OUTPUT, INPUT, TEMP;

    /** The name clients use ({@code output}, {@code input}, {@code temp}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public Path folder(Folders folders) {
        return switch (this) {
            case OUTPUT -> folders.output();
            case INPUT -> folders.input();
            case TEMP -> folders.temp();
        };
    }

    /**
     * The type named by a {@code type} parameter; {@code fallback} when it is absent or empty.
     *
     * @throws FileAccessException 400 for any other value
     */
    public static FolderType parse(String param, String value, FolderType fallback) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        for (FolderType t : values()) {
            if (t.wireName().equals(value)) {
                return t;
            }
        }
        throw FileAccessException.badRequest(param + " must be output, input or temp, not '" + Names.printable(value)
                + "'");
    }

    /**
     * A file name with an optional {@code " [output]"}, {@code " [input]"} or {@code " [temp]"} suffix, as ComfyUI's
     * editor writes them: the suffix, when present, names the folder and overrides the {@code type} parameter.
     *
     * @param name the name without the suffix
     * @param type the folder the suffix named, or null when there was none
     */
    public record Annotated(String name, FolderType type) {

        public static Annotated parse(String filename) {
            if (filename != null) {
                for (FolderType t : values()) {
                    String suffix = " [" + t.wireName() + "]";
                    if (filename.endsWith(suffix)) {
                        return new Annotated(filename.substring(0, filename.length() - suffix.length()), t);
                    }
                }
            }
            return new Annotated(filename, null);
        }
    }
}
