package dev.easel.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.node.ModelLibrary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What ships next to the launcher jar: models after the user's, example inputs in a new data folder, the default. */
class DistributionTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearProperties() {
        System.clearProperty(Distribution.property(Distribution.MODELS));
        System.clearProperty(Distribution.property(Distribution.WORKFLOWS));
    }

    private Path bundled(String name) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("dist").resolve(name));
        System.setProperty(Distribution.property(name), folder.toString());
        return folder;
    }

    @Test
    void bundledModelsAreListedAfterTheDataFoldersAndAUsersFileOfTheSameNameWins() throws IOException {
        Path shipped = Files.createDirectories(bundled(Distribution.MODELS).resolve("checkpoints"));
        Files.writeString(shipped.resolve("easel.safetensors"), "shipped");
        Files.writeString(shipped.resolve("both.safetensors"), "shipped");
        Path data = dir.resolve("data");
        Path own = Files.createDirectories(data.resolve("models/checkpoints"));
        Files.writeString(own.resolve("both.safetensors"), "user's");

        ModelLibrary models = Registries.environment(new PrintWriter(new StringWriter()), data, null, List.of())
                .models();
        assertEquals(List.of("both.safetensors", "easel.safetensors"), models.list("checkpoints"));
        assertEquals("user's", Files.readString(models.resolve("checkpoints", "both.safetensors")));
        assertEquals("shipped", Files.readString(models.resolve("checkpoints", "easel.safetensors")));
    }

    @Test
    void aNewInputFolderGetsTheExampleImagesAnExistingOneIsLeftAlone() throws IOException {
        Path examples = Files.createDirectories(bundled(Distribution.WORKFLOWS).resolve("input"));
        Files.writeString(examples.resolve("example.png"), "png");

        DataFolders.prepare(dir.resolve("fresh"), null);
        assertEquals("png", Files.readString(dir.resolve("fresh/input/example.png")));

        Files.createDirectories(dir.resolve("used/input"));
        DataFolders.prepare(dir.resolve("used"), null);
        assertFalse(Files.exists(dir.resolve("used/input/example.png")), "a user's input folder is not touched");
    }

    @Test
    void runWithoutAFileRunsTheDefaultWorkflowOrSaysThereIsNone() throws IOException {
        Path workflows = bundled(Distribution.WORKFLOWS);
        String[] args = {"run", "--data-dir", dir.resolve("data").toString()};
        CliHarness.Result none = new CliHarness().withoutTorch().execute(args);
        assertEquals(ExitCodes.USAGE, none.exitCode(), none.toString());
        assertTrue(none.err().contains("no default workflow"), none.toString());

        Files.writeString(workflows.resolve(Distribution.DEFAULT_WORKFLOW), """
                {"1": {"class_type": "LauncherTestEcho", "inputs": {"text": "hi", "count": 1}}}""");
        CliHarness.Result ran = new CliHarness().withoutTorch().execute(args);
        assertEquals(ExitCodes.SUCCESS, ran.exitCode(), ran.toString());
        assertTrue(ran.out().contains("text: hi"), ran.toString());
    }
}
