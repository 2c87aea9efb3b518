package dev.easel.engine.plugins;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Watches a development pack's build output ({@code <module>/target/classes}) and calls back once it was rebuilt:
 * when its files (names, sizes, modification times) changed and then stayed the same for one quiet period, so a
 * build that writes many class files causes one reload, after it is done. Polls instead of using a
 * {@link java.nio.file.WatchService}, which is not recursive on Linux and misses folders a build recreates.
 */
public final class DevPackWatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("easel.plugins");

    private final Path output;
    private final Duration quiet;
    private final Runnable onRebuilt;
    private final Thread thread;
    private volatile boolean closed;
    /** The output as it was when the pack was last (re)loaded. */
    private List<String> loaded;

    /**
     * @param module    the module folder (its {@code target/classes} is watched)
     * @param quiet     how long the output must stay unchanged before {@code onRebuilt} runs
     * @param onRebuilt what to do after a rebuild (reload the pack)
     */
    public DevPackWatcher(Path module, Duration quiet, Runnable onRebuilt) {
        this.output = module.resolve(PackDescriptorFinder.BUILD_OUTPUT);
        this.quiet = quiet;
        this.onRebuilt = onRebuilt;
        this.thread = new Thread(this::watch, "easel-dev-pack-watcher");
        this.thread.setDaemon(true);
    }

    /** Starts watching from the output's current state. */
    public DevPackWatcher start() {
        loaded = snapshot();
        thread.start();
        return this;
    }

    private void watch() {
        List<String> last = loaded;
        long poll = Math.max(20, quiet.toMillis() / 2);
        while (!closed) {
            try {
                Thread.sleep(poll);
            } catch (InterruptedException e) {
                return;
            }
            List<String> now = snapshot();
            if (!now.equals(last)) {
                last = now; // still changing: wait for a quiet period
                continue;
            }
            if (!now.equals(loaded) && now.stream().anyMatch(line -> line.endsWith(".class"))) {
                loaded = now;
                try {
                    onRebuilt.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "reloading the development pack at " + output + " failed", e);
                }
            }
        }
    }

    /** Every file under the output with its size and modification time, sorted; empty when it is missing. */
    private List<String> snapshot() {
        if (!Files.isDirectory(output)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(output)) {
            return files.filter(Files::isRegularFile).map(this::describe).filter(Objects::nonNull).sorted()
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of("unreadable: " + e); // mid-rebuild: counts as a change
        }
    }

    private String describe(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() + " " + Files.size(file) + " "
                    + output.relativize(file);
        } catch (IOException e) {
            return null; // deleted while listed
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
