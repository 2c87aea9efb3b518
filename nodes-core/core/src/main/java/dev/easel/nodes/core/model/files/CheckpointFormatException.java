package dev.easel.nodes.core.model.files;

import java.io.IOException;
import java.nio.file.Path;

/** A model file that cannot be read: truncated, corrupt, inconsistent or in an unsupported format. */
public final class CheckpointFormatException extends IOException {

    private final Path file;
    private final String key;

    /**
     * @param file the file, named first in the message
     * @param key the tensor (or zip entry) concerned, or {@code null}
     * @param problem what is wrong
     */
    public CheckpointFormatException(Path file, String key, String problem) {
        this(file, key, problem, null);
    }

    public CheckpointFormatException(Path file, String key, String problem, Throwable cause) {
        super(file + (key == null ? "" : ": '" + key + "'") + ": " + problem, cause);
        this.file = file;
        this.key = key;
    }

    public Path file() {
        return file;
    }

    /** The tensor or zip entry concerned, or {@code null} when the problem is with the whole file. */
    public String key() {
        return key;
    }
}
