package dev.easel.launcher;

import dev.easel.engine.registry.NodeRegistry;
import dev.easel.node.NodeEnvironment;
import dev.easel.engine.models.FolderModelLibrary;
import dev.easel.engine.models.ModelFolders;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds the node registry (class path and plugins) for a data folder, and reports its problems as warnings. */
final class Registries {

    /** The file ComfyUI users know, picked up from the data folder when it is there. */
    static final String EXTRA_MODEL_PATHS = "extra_model_paths.yaml";

    private Registries() {
    }

    /**
     * The node registry for a data folder ({@link #environment}): the class-path packs, then the packs in its
     * {@code plugins/} (kept loaded for the rest of this short-lived command).
     */
    static NodeRegistry load(PrintWriter err, Path dataDir, Path outputDir, List<Path> extraPaths) {
        NodeEnvironment environment = environment(err, dataDir, outputDir, extraPaths);
        NodeRegistry registry = load(err, environment);
        Plugins.load(err, err, registry, environment, dev.easel.engine.cache.OutputCache.NONE, dataDir);
        return registry;
    }

    /**
     * What the nodes see of a data folder: its data folders and its model files.
     *
     * @param dataDir    the data folder; its {@code models/} holds the model files in ComfyUI's layout
     * @param outputDir  where output nodes write, or {@code null} for {@code <dataDir>/output}
     * @param extraPaths further {@code extra_model_paths.yaml} files (ComfyUI's format)
     */
    static NodeEnvironment environment(PrintWriter err, Path dataDir, Path outputDir, List<Path> extraPaths) {
        ModelFolders models = new ModelFolders(dataDir.toAbsolutePath().normalize());
        List<Path> yamls = new ArrayList<>();
        Path inData = dataDir.resolve(EXTRA_MODEL_PATHS);
        if (Files.isRegularFile(inData)) {
            yamls.add(inData);
        }
        yamls.addAll(extraPaths);
        for (Path yaml : yamls) {
            try {
                models.loadExtraModelPaths(yaml);
            } catch (IOException | IllegalArgumentException e) {
                err.println("warning: cannot use " + yaml + ": " + e.getMessage());
            }
        }
        Distribution.folder(Distribution.MODELS).ifPresent(bundled -> addBundledModels(models, bundled));
        return new NodeEnvironment(DataFolders.locate(dataDir, outputDir), new FolderModelLibrary(models));
    }

    /**
     * The distribution's own models ({@code models/<type>/} next to the launcher jar) come after the data folder's and
     * the extra paths' folders of each type, so a user's file of the same name wins.
     */
    private static void addBundledModels(ModelFolders models, Path bundled) {
        for (String type : models.types()) {
            Path dir = bundled.resolve(type);
            if (Files.isDirectory(dir)) {
                models.addPath(type, dir, false);
            }
        }
    }

    /** The nodes on the class path, registered in {@code environment}; problems are printed as warnings. */
    static NodeRegistry load(PrintWriter err, NodeEnvironment environment) {
        NodeRegistry registry = NodeRegistry.fromClassPath(EaselCli.class.getClassLoader(), environment);
        for (NodeRegistry.Problem problem : registry.problems()) {
            err.println("warning: " + problem);
        }
        err.flush();
        return registry;
    }
}
