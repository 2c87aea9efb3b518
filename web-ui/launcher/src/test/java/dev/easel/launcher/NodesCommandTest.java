package dev.easel.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.workflow.WorkflowParser;
import org.junit.jupiter.api.Test;

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
