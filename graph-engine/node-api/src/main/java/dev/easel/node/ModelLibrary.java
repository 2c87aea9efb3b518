package dev.easel.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The model files a node can choose from, by ComfyUI folder type ({@code checkpoints}, {@code loras}, {@code vae},
 * ...). Names are relative paths with {@code /} separators, as ComfyUI's {@code /models/{folder}} lists them.
 */
public interface ModelLibrary {

    /** No models (tests, tools). */
    ModelLibrary EMPTY = new ModelLibrary() {
        @Override
        public Set<String> folderTypes() {
            return Set.of();
        }

        @Override
        public List<String> list(String folderType) {
            return List.of();
        }

        @Override
        public Path resolve(String folderType, String name) throws IOException {
            throw new java.nio.file.NoSuchFileException(folderType + "/" + name);
        }
    };

    /** The known folder types. */
    Set<String> folderTypes();

    /** The model files of one folder type, sorted; empty for an unknown type. */
    List<String> list(String folderType);

    /**
     * The file behind {@code name}. Names that escape their folder ({@code ..}, absolute paths) are refused.
     *
     * @throws IOException when there is no such model, naming the folder type and the name
     */
    Path resolve(String folderType, String name) throws IOException;
}
