package dev.easel.node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fingerprints for nodes that read files (use it from {@link Node#fingerprint}): the SHA-256 of the file's content,
 * so a node re-runs exactly when the file changes. Hashes are remembered by path, size and modification time, so an
 * unchanged multi-gigabyte checkpoint is hashed once per process, not on every run.
 */
public final class FileFingerprint {

    private record Stamp(long size, long modifiedNanos) {
    }

    private record Known(Stamp stamp, String hash) {
    }

    private static final Map<Path, Known> KNOWN = new ConcurrentHashMap<>();

    private FileFingerprint() {
    }

    /** {@code "sha256:<hex>"} of the file's content; a missing file fingerprints as {@code "missing:<path>"}. */
    public static String of(Path file) throws IOException {
        Path path = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            return "missing:" + path;
        }
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        Stamp stamp = new Stamp(attrs.size(), attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
        Known known = KNOWN.get(path);
        if (known != null && known.stamp().equals(stamp)) {
            return known.hash();
        }
        String hash = "sha256:" + sha256(path);
        KNOWN.put(path, new Known(stamp, hash));
        return hash;
    }

    /**
     * A cheap fingerprint for large files (model checkpoints): absolute path, size and modification time. Changes
     * when the file is replaced or touched; never reads the content.
     */
    public static String stamp(Path file) throws IOException {
        Path path = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            return "missing:" + path;
        }
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        return "stamp:" + path + ":" + attrs.size() + ":"
                + attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private static String sha256(Path path) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(path)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
