package dev.easel.launcher;

import dev.easel.node.Folders;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The data folders of one CLI run, in ComfyUI's layout: {@code <data>/input}, {@code <data>/output} (or
 * {@code --out}) and {@code <data>/temp}. All paths are absolute.
 */
final class DataFolders implements Folders {

    private final Path input;
    private final Path output;
    private final Path temp;

    private DataFolders(Path input, Path output, Path temp) {
        this.input = input;
        this.output = output;
        this.temp = temp;
    }

    /**
     * Creates the folders that are missing and empties {@code temp/}, as ComfyUI does at start.
     *
     * @param dataDir   the data folder
     * @param outputDir where output nodes write, or {@code null} for {@code <dataDir>/output}
     */
    static DataFolders prepare(Path dataDir, Path outputDir) throws IOException {
        DataFolders folders = locate(dataDir, outputDir);
        if (!Files.isDirectory(folders.input)) {
            Files.createDirectories(folders.input);
            seedExampleInputs(folders.input);
        }
        Files.createDirectories(folders.output);
        if (Files.isDirectory(folders.temp)) {
            emptyFolder(folders.temp);
        }
        Files.createDirectories(folders.temp);
        return folders;
    }

    /** {@link #prepare}, or null after printing why it failed on {@code err}. */
    static DataFolders prepareOrReport(PrintWriter err, Path dataDir, Path outputDir) {
        try {
            return prepare(dataDir, outputDir);
        } catch (IOException e) {
            err.println("error: cannot prepare the data folders under " + dataDir.toAbsolutePath() + ": " + e);
            return null;
        }
    }

    /**
     * A new input folder starts with the images the example workflows load ({@code workflows/input/} of the
     * distribution), as ComfyUI's starts with {@code example.png}. An existing one is never touched.
     */
    private static void seedExampleInputs(Path input) throws IOException {
        Optional<Path> examples = Distribution.folder(Distribution.WORKFLOWS).map(dir -> dir.resolve("input"));
        if (examples.isEmpty() || !Files.isDirectory(examples.get())) {
            return;
        }
        try (Stream<Path> files = Files.list(examples.get())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, input.resolve(file.getFileName().toString()));
            }
        }
    }

    /** The folders' paths, touching nothing on disk. */
    static DataFolders locate(Path dataDir, Path outputDir) {
        Path data = dataDir.toAbsolutePath().normalize();
        Path output = outputDir == null ? data.resolve("output") : outputDir.toAbsolutePath().normalize();
        return new DataFolders(data.resolve("input"), output, data.resolve("temp"));
    }

    /** Deletes what is inside {@code folder} (symbolic links are removed, never followed). */
    private static void emptyFolder(Path folder) throws IOException {
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                if (!dir.equals(folder)) {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** The folder a UI result's {@code type} ({@code output}, {@code temp}, {@code input}) refers to, or null. */
    Path forType(String type) {
        if (type == null) {
            return null;
        }
        return switch (type) {
            case "output" -> output;
            case "temp" -> temp;
            case "input" -> input;
            default -> null;
        };
    }

    @Override
    public Path output() {
        return output;
    }

    @Override
    public Path input() {
        return input;
    }

    @Override
    public Path temp() {
        return temp;
    }
}
