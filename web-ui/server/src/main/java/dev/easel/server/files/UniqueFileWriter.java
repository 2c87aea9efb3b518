package dev.easel.server.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Saves uploaded content into a folder the way ComfyUI's {@code /upload/image} does, but atomically: the bytes go to a
 * temporary file in the same folder first and appear under their name only when complete. Without {@code overwrite},
 * an existing file with the same SHA-256 is reused, and otherwise the name becomes {@code name (1).ext},
 * {@code name (2).ext}, ... Claiming a name never replaces a file (it is a hard link, which fails if the name exists),
 * so two concurrent uploads of different content under one name end as two files.
 */
public final class UniqueFileWriter {

    /** Gives up (400) after this many taken names rather than looping for ever. */
    private static final int MAX_RENAMES = 10_000;

    /**
     * @param name    the name the content is under
     * @param written false when an identical existing file was reused
     */
    public record Saved(String name, boolean written) {
    }

    private UniqueFileWriter() {
    }

    /**
     * Writes {@code content} into {@code dir} (a folder from {@link ConfinedFolder#writableFolder}) under
     * {@code name} (already checked) or a free variant of it.
     */
    public static Saved save(Path dir, String name, boolean overwrite, InputStream content) throws IOException {
        Path tmp = Files.createTempFile(dir, ".upload-", ".part");
        try {
            byte[] hash = copy(content, tmp);
            if (overwrite) {
                Path target = dir.resolve(name);
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw FileAccessException.badRequest("'" + Names.printable(name) + "' is a folder");
                }
                // rename(2) replaces the name itself: a link at the name is replaced, never written through
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return new Saved(name, true);
            }
            long size = Files.size(tmp);
            int i = 0;
            while (i <= MAX_RENAMES) {
                String candidate = i == 0 ? name : numbered(name, i);
                Path target = dir.resolve(candidate);
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(target)) {
                    if (sameContent(target, size, hash)) {
                        return new Saved(candidate, false);
                    }
                    i++;
                    continue;
                }
                try {
                    claim(tmp, target);
                    return new Saved(candidate, true);
                } catch (FileAlreadyExistsException raced) {
                    // another upload took the name just now: look at what it wrote (same i) before moving on
                }
            }
            throw FileAccessException.badRequest("too many files are already named like '" + Names.printable(name)
                    + "'");
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@code stem (i).ext}, as Python's {@code os.path.splitext} splits names. */
    static String numbered(String name, int i) {
        int dot = name.lastIndexOf('.');
        boolean leadingDotsOnly = dot >= 0 && name.substring(0, dot).chars().allMatch(c -> c == '.');
        String stem = dot < 0 || leadingDotsOnly ? name : name.substring(0, dot);
        String ext = dot < 0 || leadingDotsOnly ? "" : name.substring(dot);
        String numbered = stem + " (" + i + ")" + ext;
        if (numbered.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Names.MAX_NAME_BYTES) {
            throw FileAccessException.badRequest("the name '" + Names.printable(name)
                    + "' is taken and too long to number");
        }
        return numbered;
    }

    /** Gives {@code tmp}'s content the name {@code target}, failing if the name exists. */
    private static void claim(Path tmp, Path target) throws IOException {
        try {
            Files.createLink(target, tmp);
            return;
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
            // a file system without hard links: reserve the name (atomic create-new), then move over the reservation
        }
        Files.createFile(target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static byte[] copy(InputStream content, Path tmp) throws IOException {
        MessageDigest sha = sha256();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
             OutputStream out = Channels.newOutputStream(ch);
             InputStream in = new DigestInputStream(content, sha)) {
            in.transferTo(out);
            ch.force(true); // the bytes are on disk before the name points at them
        }
        return sha.digest();
    }

    /** Whether {@code existing} is a plain file (not a link) with these bytes. */
    private static boolean sameContent(Path existing, long size, byte[] hash) throws IOException {
        if (!Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS) || Files.size(existing) != size) {
            return false;
        }
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(existing, LinkOption.NOFOLLOW_LINKS), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return Arrays.equals(sha.digest(), hash);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
