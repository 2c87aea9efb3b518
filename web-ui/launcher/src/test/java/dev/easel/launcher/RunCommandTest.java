package dev.easel.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.exec.CancellationToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearCancelHook() {
        TestNodePack.cancelOnStep = null;
    }

    private Path write(String name, String json) throws IOException {
        return Files.writeString(dir.resolve(name), json);
    }

    private CliHarness.Result run(Path workflow, String... more) {
        String[] args = new String[more.length + 4];
        args[0] = "run";
        args[1] = workflow.toString();
        args[2] = "--data-dir";
        args[3] = dir.resolve("data").toString();
        System.arraycopy(more, 0, args, 4, more.length);
        return new CliHarness().withoutTorch().execute(args);
    }

    @Test
    void successPrintsTextResultsAndExitsZero() throws IOException {
        Path wf = write("echo.json", """
                {"1": {"class_type": "LauncherTestEcho", "inputs": {"text": "ab", "count": 2}}}""");
        CliHarness.Result r = run(wf);
        assertEquals(ExitCodes.SUCCESS, r.exitCode(), r.toString());
        assertTrue(r.out().contains("node 1 (LauncherTestEcho):"), r.toString());
        assertTrue(r.out().contains("text: abab"), r.toString());
        assertTrue(r.err().contains("[1/1] node 1 (LauncherTestEcho)"), r.toString());
        assertTrue(Files.isDirectory(dir.resolve("data/input")));
        assertTrue(Files.isDirectory(dir.resolve("data/output")));
    }

    @Test
    void setReplacesInputsBeforeValidation() throws IOException {
        Path wf = write("echo.json", """
                {"1": {"class_type": "LauncherTestEcho", "inputs": {"text": "ab", "count": 2}}}""");
        CliHarness.Result r = run(wf, "--set", "1.text=x y", "--set", "1.count=3", "--sequential");
        assertEquals(ExitCodes.SUCCESS, r.exitCode(), r.toString());
        assertTrue(r.out().contains("text: x yx yx y"), r.toString());
    }

    @Test
    void validationErrorExitsTwoAndNamesNodeAndInput() throws IOException {
        Path wf = write("bad.json", """
                {"1": {"class_type": "LauncherTestEcho", "inputs": {"text": "ab", "count": 99}},
                 "2": {"class_type": "LauncherTestFail", "inputs": {}}}""");
        CliHarness.Result r = run(wf);
        assertEquals(ExitCodes.VALIDATION, r.exitCode(), r.toString());
        assertTrue(r.err().contains("error: Prompt outputs failed validation"), r.toString());
        assertTrue(r.err().contains("node 1 (LauncherTestEcho) input 'count': Value 99 bigger than max of 10: count"),
                r.toString());
        assertTrue(r.err().contains("node 2 (LauncherTestFail) input 'message': Required input is missing: message"),
                r.toString());
        assertEquals("", r.out());
    }

    @Test
    void setCanBreakValidationToo() throws IOException {
        Path wf = write("echo.json", """
                {"1": {"class_type": "LauncherTestEcho", "inputs": {"text": "ab", "count": 2}}}""");
        CliHarness.Result r = run(wf, "--set", "1.count=0");
        assertEquals(ExitCodes.VALIDATION, r.exitCode(), r.toString());
        assertTrue(r.err().contains("input 'count': Value 0 smaller than min of 1"), r.toString());
    }

    @Test
    void unknownNodeTypeIsAValidationError() throws IOException {
        Path wf = write("unknown.json", """
                {"5": {"class_type": "NoSuchNode", "inputs": {}}}""");
        CliHarness.Result r = run(wf);
        assertEquals(ExitCodes.VALIDATION, r.exitCode(), r.toString());
        assertTrue(r.err().contains("NoSuchNode"), r.toString());
        assertTrue(r.err().contains("#5"), r.toString());
    }

    @Test
    void badJsonMissingFileAndNonWorkflowExitOne() throws IOException {
        CliHarness.Result notJson = run(write("broken.json", "{\"1\": {"));
        assertEquals(ExitCodes.USAGE, notJson.exitCode(), notJson.toString());
        assertTrue(notJson.err().contains("is not valid JSON"), notJson.toString());

        CliHarness.Result missing = run(dir.resolve("nope.json"));
        assertEquals(ExitCodes.USAGE, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("no such file"), missing.toString());

        CliHarness.Result notWorkflow = run(write("array.json", "[1, 2]"));
        assertEquals(ExitCodes.USAGE, notWorkflow.exitCode(), notWorkflow.toString());
        assertTrue(notWorkflow.err().contains("not an API-format workflow"), notWorkflow.toString());
    }

    @Test
    void uiFormatWorkflowIsConvertedAndRun() throws IOException {
        // As the editor saves it: the echo's count is a socket fed by a PrimitiveNode through a Reroute; a Note.
        Path wf = write("ui.json", """
                {"last_node_id": 4, "last_link_id": 2, "version": 0.4,
                 "nodes": [{"id": 7, "type": "LauncherTestEcho", "mode": 0,
                            "inputs": [{"name": "count", "type": "INT", "widget": {"name": "count"}, "link": 2}],
                            "widgets_values": ["ha", 1]},
                           {"id": 2, "type": "PrimitiveNode", "widgets_values": [3, "fixed"]},
                           {"id": 3, "type": "Reroute", "inputs": [{"name": "", "type": "*", "link": 1}]},
                           {"id": 4, "type": "Note", "widgets_values": ["hello"]}],
                 "links": [[1, 2, 0, 3, 0, "INT"], [2, 3, 0, 7, 1, "INT"]]}""");
        CliHarness.Result r = run(wf, "--set", "7.text=ho");
        assertEquals(ExitCodes.SUCCESS, r.exitCode(), r.toString());
        assertTrue(r.out().contains("node 7 (LauncherTestEcho):"), r.toString());
        assertTrue(r.out().contains("text: hohoho"), r.toString());

        CliHarness.Result unknown = run(write("unknown-ui.json", """
                {"nodes": [{"id": 5, "type": "NoSuchNode"}], "links": []}"""));
        assertEquals(ExitCodes.VALIDATION, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().contains("node 5 (NoSuchNode)"), unknown.toString());

        CliHarness.Result malformed = run(write("bad-ui.json", """
                {"nodes": [{"id": 5, "type": "LauncherTestEcho", "widgets_values": "ha"}], "links": []}"""));
        assertEquals(ExitCodes.USAGE, malformed.exitCode(), malformed.toString());
        assertTrue(malformed.err().contains("node 5 (LauncherTestEcho): widgets_values"), malformed.toString());
    }

    @Test
    void badSetExitsOne() throws IOException {
        Path wf = write("echo.json", """
                {"1": {"class_type": "LauncherTestEcho", "inputs": {"text": "ab", "count": 2}}}""");
        CliHarness.Result unknownNode = run(wf, "--set", "9.text=x");
        assertEquals(ExitCodes.USAGE, unknownNode.exitCode(), unknownNode.toString());
        assertTrue(unknownNode.err().contains("the workflow has no node '9'"), unknownNode.toString());

        CliHarness.Result unknownInput = run(wf, "--set", "1.txt=x");
        assertEquals(ExitCodes.USAGE, unknownInput.exitCode(), unknownInput.toString());
        assertTrue(unknownInput.err().contains("has no input 'txt'"), unknownInput.toString());

        CliHarness.Result syntax = run(wf, "--set", "text=x");
        assertEquals(ExitCodes.USAGE, syntax.exitCode(), syntax.toString());
    }

    @Test
    void usageErrorsExitOne() {
        assertEquals(ExitCodes.USAGE, new CliHarness().execute().exitCode());
        assertEquals(ExitCodes.USAGE, new CliHarness().execute("run").exitCode());
        assertEquals(ExitCodes.USAGE, new CliHarness().execute("run", "x.json", "--no-such-option").exitCode());
        assertEquals(ExitCodes.USAGE, new CliHarness().execute("serve", "--recovery", "sometimes").exitCode());
        CliHarness.Result help = new CliHarness().execute("run", "--help");
        assertEquals(ExitCodes.SUCCESS, help.exitCode());
        assertTrue(help.out().contains("130"), help.toString());
    }

    @Test
    void executionErrorExitsThreeWithNodeMessageAndTraceback() throws IOException {
        Path wf = write("fail.json", """
                {"4": {"class_type": "LauncherTestFail", "inputs": {"message": "the disk is full"}}}""");
        CliHarness.Result r = run(wf);
        assertEquals(ExitCodes.EXECUTION, r.exitCode(), r.toString());
        assertTrue(r.err().contains("error: node 4 (LauncherTestFail) failed: java.lang.IllegalStateException: "
                + "the disk is full"), r.toString());
        assertTrue(r.err().contains("at dev.easel.launcher.TestNodePack$Fail.execute"), r.toString());
    }

    @Test
    void cancellingTheTokenStopsTheRunWith130() throws IOException {
        CancellationToken token = new CancellationToken();
        TestNodePack.cancelOnStep = token;
        Path wf = write("steps.json", """
                {"1": {"class_type": "LauncherTestSteps", "inputs": {"steps": 10, "cancel_at": 4}}}""");
        CliHarness.Result r = new CliHarness().withoutTorch().withToken(token)
                .execute("run", wf.toString(), "--data-dir", dir.resolve("data").toString());
        assertEquals(ExitCodes.INTERRUPTED, r.exitCode(), r.toString());
        assertTrue(r.err().contains("Interrupted at node 1 (LauncherTestSteps)"), r.toString());
        assertTrue(r.err().contains("3/10"), r.toString());
        assertFalse(r.err().contains("10/10"), r.toString());
    }

    @Test
    void progressIsPrintedAsPlainLinesWhenStderrIsNotATerminal() throws IOException {
        Path wf = write("steps.json", """
                {"1": {"class_type": "LauncherTestSteps", "inputs": {"steps": 100, "cancel_at": 0}},
                 "2": {"class_type": "LauncherTestEcho", "inputs": {"text": "x", "count": 1}}}""");
        CliHarness.Result r = run(wf, "--sequential");
        assertEquals(ExitCodes.SUCCESS, r.exitCode(), r.toString());
        // The engine picks the order of independent nodes; both are counted out of 2.
        assertTrue(r.err().matches("(?s).*\\[[12]/2] node 1 \\(LauncherTestSteps\\).*"), r.toString());
        assertTrue(r.err().matches("(?s).*\\[[12]/2] node 2 \\(LauncherTestEcho\\).*"), r.toString());
        assertTrue(r.err().contains("    50/100"), r.toString());
        assertTrue(r.err().contains("    100/100"), r.toString());
        assertFalse(r.err().contains("    51/100"), r.toString()); // at most one line per 10 %
        assertFalse(r.err().contains("\r"), r.toString());
    }

    @Test
    void tempIsEmptiedAtStartAndOutCanBeElsewhere() throws IOException {
        Path stale = dir.resolve("data/temp/sub/old.png");
        Files.createDirectories(stale.getParent());
        Files.writeString(stale, "x");
        Path keep = Files.writeString(Files.createDirectories(dir.resolve("data/input")).resolve("keep.png"), "x");
        Path wf = write("echo.json", """
                {"1": {"class_type": "LauncherTestEcho", "inputs": {"text": "ab", "count": 1}}}""");
        CliHarness.Result r = run(wf, "--out", dir.resolve("elsewhere").toString());
        assertEquals(ExitCodes.SUCCESS, r.exitCode(), r.toString());
        assertFalse(Files.exists(dir.resolve("data/temp/sub")));
        assertTrue(Files.isDirectory(dir.resolve("data/temp")));
        assertTrue(Files.exists(keep));
        assertTrue(Files.isDirectory(dir.resolve("elsewhere")));
        assertFalse(Files.exists(dir.resolve("data/output")));
    }
}
