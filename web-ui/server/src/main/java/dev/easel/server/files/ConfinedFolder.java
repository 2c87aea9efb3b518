package dev.easel.server.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * One data folder that client-given names cannot leave. Names are checked first ({@link Names}: 400 for a malformed
 * name, 403 for a subfolder that climbs out); then the path is resolved on disk with links followed, and anything
 * that ends outside the folder's real path (a symbolic link to {@code /etc}, a linked subfolder) is refused with 403.
 */
public final class ConfinedFolder {

    private final Path base;

    public ConfinedFolder(Path base) {
        this.base = base.toAbsolutePath().normalize();
    }

    public Path base() {
        return base;
    }

    /**
     * Checks a plain file name (no folders, no {@code ..}, no separators, control characters or drive letters).
     *
     * @throws FileAccessException 400 naming {@code param} and the reason
     */
    public static String checkName(String param, String name) {
        return Names.fileName(param, name);
    }

    /**
     * The existing regular file {@code subfolder/filename}, as its real path.
     *
     * @param subfolderParam the subfolder's parameter name, for error messages (likewise {@code fileParam})
     * @throws FileAccessException 400, 403, or 404 when there is no such file
     */
    public Path existingFile(String subfolderParam, String subfolder, String fileParam, String filename) {
        List<String> segments = Names.subfolder(subfolderParam, subfolder);
        Names.fileName(fileParam, filename);
        Path baseReal = realBase(fileParam, filename);
        Path target = baseReal;
        for (String s : segments) {
            target = target.resolve(s);
        }
        target = target.resolve(filename);
        Path real;
        try {
            real = target.toRealPath();
        } catch (NoSuchFileException e) {
            throw notFound(fileParam, filename);
        } catch (IOException e) {
            throw FileAccessException.notFound(fileParam + " '" + Names.printable(filename) + "' cannot be read");
        }
        if (!real.startsWith(baseReal)) {
            throw FileAccessException.forbidden(fileParam + " '" + Names.printable(filename)
                    + "' resolves outside the " + base.getFileName() + " folder");
        }
        if (!Files.isRegularFile(real)) {
            throw notFound(fileParam, filename);
        }
        return real;
    }

    /**
     * The folder {@code subfolder} (created as needed, one level at a time so that no directory is ever made through
     * a link that leads out), as a real path inside this folder.
     *
     * @throws FileAccessException 400 (malformed, or a file where a folder should be) or 403 (outside the folder)
     */
    public Path writableFolder(String subfolderParam, String subfolder) {
        List<String> segments = Names.subfolder(subfolderParam, subfolder);
        try {
            Files.createDirectories(base);
            Path baseReal = base.toRealPath();
            Path dir = baseReal;
            for (String s : segments) {
                dir = step(subfolderParam, baseReal, dir.resolve(s));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + subfolderParam + " in " + base, e);
        }
    }

    /** {@code next} as a confined real directory, creating it when absent (a concurrent creator is fine). */
    private static Path step(String param, Path baseReal, Path next) throws IOException {
        if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(next);
            } catch (FileAlreadyExistsException raced) {
                // someone else made it between the check and now: check what it is below
            }
        }
        Path real;
        try {
            real = next.toRealPath();
        } catch (NoSuchFileException dangling) {
            throw FileAccessException.forbidden(param + " contains a link that leads nowhere");
        }
        if (!real.startsWith(baseReal)) {
            throw FileAccessException.forbidden(param + " leads outside the folder (through a link)");
        }
        if (!Files.isDirectory(real)) {
            throw FileAccessException.badRequest(param + " names a file, not a folder");
        }
        return real;
    }

    private Path realBase(String fileParam, String filename) {
        try {
            return base.toRealPath();
        } catch (IOException e) {
            throw notFound(fileParam, filename);
        }
    }

    private static FileAccessException notFound(String param, String name) {
        return FileAccessException.notFound(param + " '" + Names.printable(name) + "' does not exist");
    }
}
