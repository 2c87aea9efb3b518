package dev.easel.server;

import dev.easel.node.ModelLibrary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A {@link ModelLibrary} over one directory per folder type, for server tests: recursive listings of relative names
 * with {@code /}, sorted, read afresh on every call; names with {@code ..} or absolute names are refused. Like the
 * interface, it knows nothing of ComfyUI's legacy folder names.
 */
final class FolderModels implements ModelLibrary {

    private final Map<String, Path> folders = new LinkedHashMap<>();

    /** Folder types named {@code types}, each the directory of that name under {@code root}. */
    FolderModels(Path root, String... types) {
        for (String type : types) {
            folders.put(type, root.resolve(type));
        }
    }

    @Override
    public Set<String> folderTypes() {
        return folders.keySet();
    }

    @Override
    public List<String> list(String folderType) {
        Path dir = folders.get(folderType);
        if (dir == null || !Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString().replace('\\', '/'))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Path resolve(String folderType, String name) throws IOException {
        Path dir = folders.get(folderType);
        if (dir == null || name.isEmpty() || name.startsWith("/") || List.of(name.split("/")).contains("..")) {
            throw new NoSuchFileException(folderType + "/" + name);
        }
        Path file = dir.resolve(name).normalize();
        if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
            throw new NoSuchFileException(folderType + "/" + name);
        }
        return file;
    }
}
