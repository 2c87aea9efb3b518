package dev.easel.plugins.js;

import dev.easel.node.NodePack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds and loads every JavaScript pack under a plugins folder: each sub-folder with a
 * {@value JsPackManifest#FILE} ({@code <data-dir>/plugins/<pack>/easel-pack.json}). A pack that fails is reported in
 * {@link Loaded#problems()} and skipped; the others load.
 */
public final class JsPacks {

    /**
     * @param packs    the packs that loaded
     * @param problems one line per pack that did not, naming the pack, file, node and input where known
     */
    public record Loaded(List<NodePack> packs, List<String> problems) {
    }

    private JsPacks() {
    }

    /** Loads the packs under {@code pluginsDir} into {@link JsSandbox#shared()}; a missing folder has none. */
    public static Loaded loadAll(Path pluginsDir) {
        return loadAll(pluginsDir, new JsPackLoader());
    }

    public static Loaded loadAll(Path pluginsDir, JsPackLoader loader) {
        List<NodePack> packs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(pluginsDir)) {
            return new Loaded(List.of(), List.of());
        }
        List<Path> folders;
        try (Stream<Path> entries = Files.list(pluginsDir)) {
            folders = entries.filter(p -> Files.isRegularFile(p.resolve(JsPackManifest.FILE))).sorted().toList();
        } catch (IOException e) {
            return new Loaded(List.of(), List.of("cannot list " + pluginsDir + ": " + e.getMessage()));
        }
        for (Path folder : folders) {
            try {
                packs.add(loader.load(folder));
            } catch (JsPackException e) {
                problems.add(e.getMessage());
            } catch (RuntimeException e) {
                problems.add("JavaScript pack " + folder.getFileName() + ": failed to load: " + e);
            }
        }
        return new Loaded(List.copyOf(packs), List.copyOf(problems));
    }
}
