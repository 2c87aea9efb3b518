package dev.easel.trainer.eval;

import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.event.RunListener;
import dev.easel.engine.exec.CancellationToken;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.exec.EngineSettings;
import dev.easel.engine.exec.RunRequest;
import dev.easel.engine.exec.RunResult;
import dev.easel.engine.models.FolderModelLibrary;
import dev.easel.engine.models.ModelFolders;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
import dev.easel.engine.workflow.WorkflowParseException;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.node.Folders;
import dev.easel.node.NodeEnvironment;
import dev.easel.runtime.Torch;
import dev.easel.runtime.TorchRuntime;
import dev.easel.trainer.data.EmojiImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Generates images the way a user does: the default text-to-image workflow ({@link TextToImageWorkflow}) run by
 * Easel's engine with the node packs on the class path, the checkpoint linked into a private models folder, and the
 * PNGs SaveImage writes read back. Sequential (one engine worker); libtorch's threads are the caller's setting.
 */
public final class EngineImages implements AutoCloseable {

    private final Path outputDir;
    private final String checkpointName;
    private final Engine engine;
    private int runs;

    /**
     * An engine whose models folder ({@code <workDir>/models/checkpoints}) holds a link to {@code checkpoint};
     * results go to {@code <workDir>/output}.
     */
    public EngineImages(Path checkpoint, Path workDir) throws IOException {
        Torch.load();
        Path work = workDir.toAbsolutePath().normalize();
        Path checkpoints = Files.createDirectories(work.resolve("models").resolve("checkpoints"));
        checkpointName = checkpoint.getFileName().toString();
        Path link = checkpoints.resolve(checkpointName);
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, checkpoint.toAbsolutePath().normalize());
        outputDir = Files.createDirectories(work.resolve("output"));
        Folders folders = Folders.of(outputDir, Files.createDirectories(work.resolve("input")),
                Files.createDirectories(work.resolve("temp")));
        NodeEnvironment environment = new NodeEnvironment(folders, new FolderModelLibrary(new ModelFolders(work)));
        NodeRegistry registry = NodeRegistry.fromClassPath(EngineImages.class.getClassLoader(), environment);
        engine = new Engine(registry, OutputCache.NONE, TorchRuntime.fromSystemProperties(), folders,
                EngineSettings.sequential());
    }

    /**
     * One image per prompt, as planar RGB bytes ({@code [3, 64, 64]}, the data set's layout); prompt {@code i} is
     * sampled with seed {@code seeds[i]}. All prompts go into one workflow run.
     *
     * @throws IllegalStateException with the engine's error when the workflow is invalid or a node fails
     */
    public List<byte[]> generate(List<String> prompts, long[] seeds, SamplingSettings settings) throws IOException {
        String json = TextToImageWorkflow.json(checkpointName, prompts, seeds, settings);
        ValidationResult validation;
        try {
            validation = engine.validate(WorkflowParser.parse(json), ValidationOptions.STRICT);
        } catch (WorkflowParseException e) {
            throw new IllegalStateException("the evaluation workflow does not parse: " + e.getMessage(), e);
        }
        if (!validation.isValid()) {
            throw new IllegalStateException("the evaluation workflow is invalid: " + validation.toJson());
        }
        RunResult result = engine.run(new RunRequest("eval-" + (runs++) + "-" + UUID.randomUUID(),
                validation.workflow(), Map.of()), RunListener.NONE, new CancellationToken());
        if (!result.succeeded()) {
            throw new IllegalStateException("the evaluation workflow failed: " + result.failure());
        }
        List<byte[]> images = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            Path png = savedFile(result, TextToImageWorkflow.saveNode(i));
            images.add(EmojiImages.onWhite(png));
            Files.delete(png); // the bytes are all we keep; 200 PNGs per model would only clutter the folder
        }
        return images;
    }

    /** The one PNG SaveImage node {@code node} reports. */
    private Path savedFile(RunResult result, String node) {
        Map<String, List<Object>> ui = result.outputs().get(node);
        List<Object> images = ui == null ? null : ui.get("images");
        if (images == null || images.size() != 1 || !(images.get(0) instanceof Map<?, ?> image)) {
            throw new IllegalStateException("node " + node + " reported " + ui + ", not one saved image");
        }
        Path folder = outputDir;
        Object subfolder = image.get("subfolder");
        if (subfolder != null && !subfolder.toString().isEmpty()) {
            folder = folder.resolve(subfolder.toString());
        }
        return folder.resolve(image.get("filename").toString());
    }

    @Override
    public void close() {
        engine.close();
    }
}
