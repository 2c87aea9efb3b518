package dev.easel.node;

import java.nio.file.Path;

/**
 * What a node pack may know about the Easel instance it is registered in: its data folders and its model files.
 * Packs use it to build COMBO lists (checkpoint names, input images) that are recomputed at every validation.
 *
 * @param folders the data folders
 * @param models  the model files
 */
public record NodeEnvironment(Folders folders, ModelLibrary models) {

    /** Folders under {@code ./data} and no models: for tests and tools that do not care. */
    public static NodeEnvironment defaults() {
        Path data = Path.of("data");
        return new NodeEnvironment(Folders.of(data.resolve("output"), data.resolve("input"), data.resolve("temp")),
                ModelLibrary.EMPTY);
    }
}
