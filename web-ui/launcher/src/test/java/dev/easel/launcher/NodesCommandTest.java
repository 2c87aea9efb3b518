package dev.easel.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.workflow.WorkflowParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodesCommandTest {

    @Test
    void listsEveryNodeWithCategoryInputsAndOutputs() {
        CliHarness.Result r = new CliHarness().execute("nodes");
        assertEquals(ExitCodes.SUCCESS, r.exitCode(), r.toString());
        assertTrue(r.out().contains("LauncherTestEcho  [testing]  output node"), r.toString());
        assertTrue(r.out().contains("count  INT, default 1, min 1, max 10"), r.toString());
        assertTrue(r.out().contains("LauncherTestFail  [testing]"), r.toString());
    }

    @Test
    void nameSelectsOneNode() {
        CliHarness.Result r = new CliHarness().execute("nodes", "LauncherTestSteps");
        assertEquals(ExitCodes.SUCCESS, r.exitCode(), r.toString());
        assertTrue(r.out().contains("cancel_at"), r.toString());
        assertFalse(r.out().contains("LauncherTestEcho"), r.toString());

        CliHarness.Result partial = new CliHarness().execute("nodes", "launchertest");
        assertTrue(partial.out().contains("LauncherTestEcho") && partial.out().contains("LauncherTestFail"),
                partial.toString());

        CliHarness.Result none = new CliHarness().execute("nodes", "NoSuchNodeAnywhere");
        assertEquals(ExitCodes.USAGE, none.exitCode(), none.toString());
        assertTrue(none.err().contains("NoSuchNodeAnywhere"), none.toString());
    }

    @Test
    void checkpointChoicesComeFromTheDataFoldersModelsAndExtraModelPaths(@TempDir Path dir) throws Exception {
        Path checkpoints = dir.resolve("data/models/checkpoints/sd15");
        Files.createDirectories(checkpoints);
        Files.writeString(checkpoints.resolve("mine.safetensors"), "");
        Path comfy = dir.resolve("ComfyUI/models/checkpoints");
        Files.createDirectories(comfy);
        Files.writeString(comfy.resolve("theirs.ckpt"), "");
        Path yaml = Files.writeString(dir.resolve("extra_model_paths.yaml"), """
                comfyui:
                  base_path: ComfyUI
                  checkpoints: models/checkpoints
                """);
        CliHarness.Result r = new CliHarness().execute("nodes", "--json", "CheckpointLoaderSimple", "--data-dir",
                dir.resolve("data").toString(), "--extra-model-paths", yaml.toString());
        assertEquals(ExitCodes.SUCCESS, r.exitCode(), r.toString());
        JsonNode choices = WorkflowParser.mapper().readTree(r.out())
                .at("/CheckpointLoaderSimple/input/required/ckpt_name/0");
        assertEquals("[\"sd15/mine.safetensors\",\"theirs.ckpt\"]", choices.toString());
    }

    @Test
    void jsonIsObjectInfo() throws Exception {
        CliHarness.Result r = new CliHarness().execute("nodes", "--json", "LauncherTestEcho");
        assertEquals(ExitCodes.SUCCESS, r.exitCode(), r.toString());
        JsonNode info = WorkflowParser.mapper().readTree(r.out()).get("LauncherTestEcho");
        assertEquals("INT", info.at("/input/required/count/0").asText());
        assertEquals(10, info.at("/input/required/count/1/max").asInt());
        assertTrue(info.get("output_node").asBoolean());
        assertEquals("custom_nodes.launcher-test", info.get("python_module").asText());

        CliHarness.Result all = new CliHarness().execute("nodes", "--json");
        JsonNode everything = WorkflowParser.mapper().readTree(all.out());
        assertTrue(everything.has("LauncherTestFail") && everything.has("LauncherTestSteps"), all.toString());
    }
}
