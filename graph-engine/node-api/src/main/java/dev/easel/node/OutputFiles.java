package dev.easel.node;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Creates result files (SaveImage's PNGs and the like) so that a file never appears half-written under its name and
 * never replaces an existing one: the bytes go to a hidden staging file next to the target, which is then hard-linked
 * to the target name ({@code link(2)} fails when the name exists, so two writers cannot both get it) and removed.
 * Each step is noted in the run's {@link OutputJournal} first, so a crash at any point leaves enough to tell, after a
 * restart, which files were this run's (see {@code OutputRollback} in the server).
 */
public final class OutputFiles {

    /** Prefix of staging files; a listing can skip them. */
    public static final String STAGING_PREFIX = ".easel-staging-";

    /** Writes the content of a new file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private OutputFiles() {
    }

    /**
     * Creates {@code target} with {@code content}, unless the name is taken.
     *
     * @return false when {@code target} already exists (nothing was written under that name)
     * @throws IOException when the content cannot be written; no file is left behind
     */
    public static boolean createNew(Path target, OutputJournal journal, Content content) throws IOException {
        Path staging = target.resolveSibling(STAGING_PREFIX + UUID.randomUUID() + ".partial");
        journal.staging(target, staging);
        try {
            try (OutputStream out = Files.newOutputStream(staging, StandardOpenOption.CREATE_NEW)) {
                content.writeTo(out);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(staging);
            journal.abandoned(target);
            throw e;
        }
        try {
            if (!publish(staging, target)) {
                journal.abandoned(target);
                return false;
            }
            try {
                journal.published(target);
            } catch (RuntimeException e) {
                Files.deleteIfExists(target); // the journal cannot vouch for it: a recovery would not know it
                throw e;
            }
            return true;
        } finally {
            // Removed only now: until the journal says "published", the staging file beside an equal target is what
            // proves the target is this run's.
            Files.deleteIfExists(staging);
        }
    }

    /** Gives the staging file its name: false when the name is taken. */
    private static boolean publish(Path staging, Path target) throws IOException {
        try {
            Files.createLink(target, staging);
            return true;
        } catch (FileAlreadyExistsException taken) {
            return false;
        } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
            // A file system without hard links (FAT, some network mounts): a move that checks the name first. Not
            // atomic against another writer, but still never a half-written file under the name.
            if (Files.exists(target)) {
                return false;
            }
            Files.move(staging, target);
            return true;
        }
    }
}
