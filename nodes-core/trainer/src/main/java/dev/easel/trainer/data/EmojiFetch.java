package dev.easel.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Downloads the emoji-datasource packages (pinned to {@link #VERSION}) with the machine's {@code npm} into
 * {@code <data-dir>/node_modules}, unless they are there already. The data never goes into git: the data folder lives
 * under the module's {@code target/}.
 */
public final class EmojiFetch {

    /** The one version of both packages the default model is trained on. */
    public static final String VERSION = "16.0.0";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String npm;

    /** Uses {@code npm} from the PATH ({@code npm.cmd} on Windows). */
    public EmojiFetch() {
        this(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows") ? "npm.cmd" : "npm");
    }

    /** Uses the given npm executable (a name on the PATH or a path). */
    public EmojiFetch(String npm) {
        this.npm = npm;
    }

    /** Where {@code set}'s package is (or will be) installed under {@code dataDir}. */
    public static Path packageFolder(Path dataDir, EmojiSet set) {
        return dataDir.resolve("node_modules").resolve(set.packageName());
    }

    /** True when every set's package is installed under {@code dataDir} at {@link #VERSION}. */
    public static boolean isFetched(Path dataDir) throws IOException {
        for (EmojiSet set : EmojiSet.values()) {
            Path folder = packageFolder(dataDir, set);
            Path manifest = folder.resolve("package.json");
            if (!Files.isRegularFile(manifest) || !Files.isRegularFile(folder.resolve("emoji.json"))) {
                return false;
            }
            JsonNode version = JSON.readTree(manifest.toFile()).get("version");
            if (version == null || !VERSION.equals(version.asText())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Installs the packages into {@code dataDir} unless {@link #isFetched} already holds.
     *
     * @return true when npm ran, false when the packages were already there
     * @throws IOException when npm is missing, fails, or leaves the packages incomplete (the message says which and
     *         quotes npm's output)
     */
    public boolean fetch(Path dataDir) throws IOException {
        if (isFetched(dataDir)) {
            return false;
        }
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>(List.of(npm, "install", "--prefix", dataDir.toString(),
                "--no-audit", "--no-fund", "--no-save", "--no-package-lock", "--loglevel=error"));
        for (EmojiSet set : EmojiSet.values()) {
            command.add(set.packageName() + "@" + VERSION);
        }
        String output = run(command);
        if (!isFetched(dataDir)) {
            throw new IOException("npm install finished, but the emoji packages are not complete under "
                    + dataDir.resolve("node_modules") + "\n" + output);
        }
        return true;
    }

    private String run(List<String> command) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run '" + npm + "' (" + e.getMessage() + "). The emoji training data is "
                    + "fetched with npm: install Node.js with npm, or put npm on the PATH.", e);
        }
        process.getOutputStream().close();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            process.waitFor(); // its output is closed already, so it is exiting
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while npm was running", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("npm failed (exit " + process.exitValue() + "): " + String.join(" ", command)
                    + "\n" + output.strip());
        }
        return output;
    }
}
