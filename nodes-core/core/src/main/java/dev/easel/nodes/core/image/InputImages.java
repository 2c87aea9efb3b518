package dev.easel.nodes.core.image;

import dev.easel.node.FileFingerprint;
import dev.easel.node.Folders;
import dev.easel.node.InputSpec;
import dev.easel.node.InputProblem;
import dev.easel.node.NodeInputs;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The images LoadImage can open: the files at the top of the input folder, and ComfyUI's annotated names
 * ({@code sub/x.png}, {@code x.png [output]}, {@code x.png [temp]}) that pick another folder.
 */
final class InputImages {

    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "webp", "bmp", "gif");

    private InputImages() {
    }

    /** Image files at the top of the input folder, sorted (the COMBO list). */
    static List<String> list(Folders folders) {
        List<String> names = new ArrayList<>();
        Path dir = folders.input();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (Files.isRegularFile(file) && EXTENSIONS.contains(extension(name))) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            return names;
        }
        names.sort(null);
        return names;
    }

    /**
     * The file behind an annotated name. Refuses names that leave their folder.
     *
     * @throws NoSuchFileException when it does not exist
     */
    static Path resolve(Folders folders, String annotated) throws IOException {
        String name = annotated.strip();
        Path base = folders.input();
        if (name.endsWith("[output]")) {
            base = folders.output();
            name = name.substring(0, name.length() - "[output]".length()).strip();
        } else if (name.endsWith("[temp]")) {
            base = folders.temp();
            name = name.substring(0, name.length() - "[temp]".length()).strip();
        } else if (name.endsWith("[input]")) {
            name = name.substring(0, name.length() - "[input]".length()).strip();
        }
        Path root = base.toAbsolutePath().normalize();
        Path file = root.resolve(name).normalize();
        if (name.isEmpty() || Path.of(name).isAbsolute() || !file.startsWith(root)) {
            throw new IOException("image name '" + annotated + "' points outside its folder");
        }
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such image");
        }
        return file;
    }

    /** The {@code image} COMBO of the loaders: files in the input folder, with the editor's upload button. */
    static InputSpec.Builder imageInput(Folders folders) {
        return InputSpec.combo("image", () -> list(folders)).option("image_upload", true).validatedByNode();
    }

    /** The loaders' IS_CHANGED: the content of the named file. */
    static Object fingerprint(Folders folders, NodeInputs inputs) throws IOException {
        return FileFingerprint.of(resolve(folders, inputs.getString("image")));
    }

    /** LoadImage's VALIDATE_INPUTS: the named image must exist. */
    static List<InputProblem> validate(Folders folders, NodeInputs literals) {
        if (!literals.has("image")) {
            return List.of();
        }
        try {
            resolve(folders, literals.getString("image"));
            return List.of();
        } catch (IOException e) {
            return List.of(new InputProblem("image", "Invalid image file: "
                    + literals.getString("image")));
        }
    }

    /** Every frame of the file (one for still images), decoded by javax.imageio (with the WebP plugin). */
    static List<BufferedImage> readFrames(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException("cannot open " + file);
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException(file.getFileName() + " is not an image format Easel can read");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, false, true);
                int count = reader.getNumImages(true);
                List<BufferedImage> frames = new ArrayList<>(Math.max(1, count));
                for (int i = 0; i < Math.max(1, count); i++) {
                    frames.add(reader.read(i));
                }
                return frames;
            } finally {
                reader.dispose();
            }
        }
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
