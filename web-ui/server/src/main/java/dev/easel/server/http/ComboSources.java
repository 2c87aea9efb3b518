package dev.easel.server.http;

import dev.easel.engine.registry.NodeRegistry;
import dev.easel.node.NodeEnvironment;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cheap fingerprint of what the COMBO lists of {@code /object_info} come from: the registered nodes, the model
 * listings of every folder type ({@code ModelLibrary.list}, which the real library caches by directory modification
 * time) and the input folder (LoadImage's list: its modification time, or its file names while that time is too
 * recent to be trusted). Two equal fingerprints mean the rendering is still current, for lists built from these
 * sources; a pack whose lists follow something else is re-rendered when one of them changes, or on
 * {@link InfoRoutes#refresh()}.
 */
final class ComboSources {

    /**
     * A directory changed within this long before it was looked at may change again within the same timestamp tick
     * without its modification time moving (the "racy" case git also guards against); its names are compared then.
     */
    private static final long RACY_MILLIS = 2_000;

    private final NodeRegistry registry;
    private final NodeEnvironment environment;

    ComboSources(NodeRegistry registry, NodeEnvironment environment) {
        this.registry = registry;
        this.environment = environment;
    }

    /** The current fingerprint; compare with {@link Object#equals}. */
    List<Object> fingerprint() {
        List<Object> all = new ArrayList<>(registry.all());
        for (String type : environment.models().folderTypes()) {
            all.add(type);
            all.add(environment.models().list(type));
        }
        all.add(directory(environment.folders().input()));
        return all;
    }

    /** The modification time of {@code dir}, or its sorted file names when that time is recent; "missing" if absent. */
    private static Object directory(Path dir) {
        try {
            FileTime modified = Files.getLastModifiedTime(dir);
            if (System.currentTimeMillis() - modified.to(TimeUnit.MILLISECONDS) > RACY_MILLIS) {
                return modified;
            }
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                entries.forEach(entry -> names.add(entry.getFileName().toString()));
            }
            names.sort(null);
            return names;
        } catch (NoSuchFileException e) {
            return "missing";
        } catch (IOException e) {
            return e.toString(); // unreadable now: differs from a readable state, so a later recovery re-renders
        }
    }
}
