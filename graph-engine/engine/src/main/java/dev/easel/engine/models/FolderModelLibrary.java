package dev.easel.engine.models;

import dev.easel.node.ModelLibrary;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@link ModelFolders} seen through the node SPI's {@link ModelLibrary}. */
public final class FolderModelLibrary implements ModelLibrary {

    private final ModelFolders folders;

    public FolderModelLibrary(ModelFolders folders) {
        this.folders = folders;
    }

    @Override
    public Set<String> folderTypes() {
        return new LinkedHashSet<>(folders.types());
    }

    @Override
    public List<String> list(String folderType) {
        return folders.hasType(folderType) ? folders.list(folderType) : List.of();
    }

    @Override
    public Path resolve(String folderType, String name) throws IOException {
        try {
            return folders.require(folderType, name);
        } catch (IllegalArgumentException e) {
            throw new NoSuchFileException(name, null, e.getMessage());
        }
    }
}
