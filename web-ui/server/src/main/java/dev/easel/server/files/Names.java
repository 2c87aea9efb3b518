package dev.easel.server.files;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The rules a client-given file name or subfolder must pass before it is joined to a data folder. They are the same
 * on every operating system, so a name that would be a path on Windows ({@code ..\x}, {@code C:x}, {@code \\server})
 * is refused on Linux too.
 */
final class Names {

    /** Most file systems allow 255 bytes per name; longer ones would fail later with a less clear error. */
    static final int MAX_NAME_BYTES = 255;

    private Names() {
    }

    /**
     * Checks a plain file name (no folders).
     *
     * @throws FileAccessException 400 naming {@code param} and the reason
     */
    static String fileName(String param, String name) {
        if (name == null || name.isEmpty()) {
            throw FileAccessException.badRequest(param + " is required");
        }
        if (name.startsWith("/")) {
            throw FileAccessException.badRequest(param + " must not be an absolute path");
        }
        if (name.contains("..")) {
            throw FileAccessException.badRequest(param + " must not contain '..'");
        }
        segment(param, name, "a plain file name (put folders in subfolder)");
        return name;
    }

    /**
     * The segments of a subfolder, with {@code .} and empty segments dropped and {@code ..} applied; empty for the
     * folder itself.
     *
     * @throws FileAccessException 400 for a malformed subfolder, 403 for one that leaves the folder
     */
    static List<String> subfolder(String param, String subfolder) {
        if (subfolder == null || subfolder.isEmpty()) {
            return List.of();
        }
        if (subfolder.startsWith("/") || isDrive(subfolder)) {
            throw FileAccessException.forbidden(param + " must be inside the folder, not an absolute path");
        }
        Deque<String> kept = new ArrayDeque<>();
        for (String part : subfolder.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (kept.isEmpty()) {
                    throw FileAccessException.forbidden(param + " leads outside the folder");
                }
                kept.removeLast();
                continue;
            }
            segment(param, part, "a relative path of folder names separated by '/'");
            if (part.contains("..")) {
                throw FileAccessException.badRequest(param + " must not contain '..' inside a folder name");
            }
            kept.addLast(part);
        }
        return List.copyOf(kept);
    }

    /** The checks every path segment passes: no separators, control characters, drive letters or look-alikes. */
    private static void segment(String param, String part, String shouldBe) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw FileAccessException.badRequest(param + " must not contain control characters (such as NUL)");
            }
            if (c == '/' || c == '\\') {
                throw FileAccessException.badRequest(param + " must be " + shouldBe + ", without '"
                        + (c == '/' ? "/" : "\\") + "'");
            }
            if (c == ':') {
                throw FileAccessException.badRequest(param + " must not contain ':' (drive letters, streams)");
            }
        }
        if (part.chars().allMatch(c -> c == '.' || c == ' ')) {
            throw FileAccessException.badRequest(param + " must not be made of dots only");
        }
        // Characters that a later normalisation (NFKC: fullwidth '．', '／', '＼', '：' ...) could turn into path syntax.
        String folded = Normalizer.normalize(part, Normalizer.Form.NFKC);
        if (folded.contains("..") || folded.contains("/") || folded.contains("\\") || folded.contains(":")
                || folded.chars().allMatch(c -> c == '.' || c == ' ')) {
            throw FileAccessException.badRequest(param + " must not contain characters that look like path syntax");
        }
        if (part.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw FileAccessException.badRequest(param + " has a name longer than " + MAX_NAME_BYTES + " bytes");
        }
    }

    private static boolean isDrive(String s) {
        return s.length() >= 2 && s.charAt(1) == ':' && Character.isLetter(s.charAt(0));
    }

    /** A value safe to quote in an error message (control characters escaped, long values cut). */
    static String printable(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < 80; i++) {
            char c = value.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return value.length() > 80 ? out + "..." : out.toString();
    }
}
