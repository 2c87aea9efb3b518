package dev.easel.nodes.core.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns a {@code filename_prefix} into a {@link SaveTarget}, as ComfyUI's {@code folder_paths.get_save_image_path}
 * does: {@code %width% %height% %year% %month% %day% %hour% %minute% %second%} are substituted, a prefix may name a
 * subfolder ({@code portraits/ComfyUI}), a prefix that resolves outside the root is refused, and the counter is one
 * more than the highest counter already used by {@code <filename>_<counter>_} files in the folder.
 *
 * <p>One deliberate difference: ComfyUI looks for existing files using the name with {@code %batch_num%} still in it,
 * finds none, and so overwrites the previous run's files; here {@code %batch_num%} matches any number, so counters keep
 * increasing.
 */
final class SavePathResolver {

    private SavePathResolver() {
    }

    static SaveTarget resolve(Path root, String prefix, long width, long height, LocalDateTime now) {
        Path base = root.toAbsolutePath().normalize();
        String substituted = prefix.contains("%") ? substitute(prefix, width, height, now) : prefix;
        Path relative;
        try {
            relative = Path.of(substituted).normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("filename_prefix '" + prefix + "' is not a valid path: "
                    + e.getReason(), e);
        }
        if (relative.getFileName() == null || relative.toString().isEmpty()) {
            throw new IllegalArgumentException("filename_prefix '" + prefix + "' names no file");
        }
        Path folder = base.resolve(relative).normalize().getParent();
        if (relative.isAbsolute() || folder == null || !folder.startsWith(base)) {
            throw new IllegalArgumentException("filename_prefix '" + prefix + "' points outside the output folder;"
                    + " saving there is not allowed");
        }
        String filename = relative.getFileName().toString();
        String subfolder = base.relativize(folder).toString().replace('\\', '/');
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder " + folder, e);
        }
        return new SaveTarget(folder, subfolder, filename, highestCounter(folder, filename).orElse(0) + 1);
    }

    /** ComfyUI's {@code compute_vars}: local time, months to seconds padded to two digits. */
    static String substitute(String prefix, long width, long height, LocalDateTime now) {
        return prefix.replace("%width%", Long.toString(width))
                .replace("%height%", Long.toString(height))
                .replace("%year%", Integer.toString(now.getYear()))
                .replace("%month%", twoDigits(now.getMonthValue()))
                .replace("%day%", twoDigits(now.getDayOfMonth()))
                .replace("%hour%", twoDigits(now.getHour()))
                .replace("%minute%", twoDigits(now.getMinute()))
                .replace("%second%", twoDigits(now.getSecond()));
    }

    /** The highest {@code N} of files named {@code <filename>_N_...} or {@code <filename>_N} in {@code folder}. */
    static OptionalLong highestCounter(Path folder, String filename) {
        Pattern pattern = counterPattern(filename);
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> pattern.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToLong(m -> parseCounter(m.group(1)))
                    .max();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    private static Pattern counterPattern(String filename) {
        StringBuilder regex = new StringBuilder();
        String[] parts = filename.split(Pattern.quote("%batch_num%"), -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append("\\d+");
            }
            regex.append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(regex + "_(\\d+)(?:_.*)?", Pattern.DOTALL);
    }

    private static long parseCounter(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException tooLong) {
            return 0;
        }
    }

    private static String twoDigits(int value) {
        return String.format("%02d", value);
    }
}
