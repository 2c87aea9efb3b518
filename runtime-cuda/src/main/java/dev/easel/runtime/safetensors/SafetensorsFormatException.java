package dev.easel.runtime.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that breaks the format: the message names the file, the tensor when one is at fault, and
 * the problem, for example {@code model.safetensors: tensor "w": data_offsets [0, 10] hold 10 bytes but F32 [3]
 * needs 12}.
 */
public final class SafetensorsFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String tensor;

    /**
     * @param file the file at fault
     * @param tensor the tensor at fault, or {@code null} for a problem with the file as a whole
     * @param problem what is wrong
     */
    public SafetensorsFormatException(Path file, String tensor, String problem) {
        super(file + ": " + (tensor == null ? "" : "tensor \"" + tensor + "\": ") + problem);
        this.file = file;
        this.tensor = tensor;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The tensor at fault, or {@code null} when the problem is not about one tensor. */
    public String tensor() {
        return tensor;
    }
}
