package dev.easel.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.workflow.Workflow;
import dev.easel.engine.workflow.WorkflowNode;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.launcher.EaselCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every example in {@code workflows/} runs through the real CLI ({@code easel run}) with the real runtime and node
 * packs: it must succeed, report every output node, and every file it reports must exist.
 */
class ExampleWorkflowsTest {

    private static final Pattern FILE_LINE = Pattern.compile("(?m)^  (/\\S.*)$");

    @TempDir
    Path scratch;

    @TestFactory
    Stream<DynamicTest> everyExampleWorkflowRuns() throws IOException {
        Path dir = repoRoot().resolve("workflows");
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no workflows in " + dir);
        NodeRegistry registry = NodeRegistry.fromClassPath(getClass().getClassLoader());
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
                () -> runAndCheck(file, registry)));
    }

    private void runAndCheck(Path file, NodeRegistry registry) throws Exception {
        String name = file.getFileName().toString().replace(".json", "");
        Path data = scratch.resolve(name + "-data");
        Path out = scratch.resolve(name + "-out");
        linkFixtureCheckpoints(data);
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cli = EaselCli.newCommandLine();
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));
        int code = cli.execute("run", file.toString(), "--data-dir", data.toString(), "--out", out.toString());
        String report = "exit " + code + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        assertEquals(0, code, report);

        Workflow workflow = WorkflowParser.parse(Files.readString(file));
        List<String> outputNodes = new ArrayList<>();
        for (WorkflowNode node : workflow.nodes()) {
            if (registry.find(node.classType()).map(t -> t.schema().outputNode()).orElse(false)) {
                outputNodes.add(node.id());
            }
        }
        assertFalse(outputNodes.isEmpty(), file + " has no output node");
        for (String id : outputNodes) {
            // "node <id> (<class>):" followed by at least one "  <file or text>" line
            assertTrue(Pattern.compile("(?m)^node " + Pattern.quote(id) + " \\(.*\\):\n  \\S").matcher(stdout.toString()).find(),
                    "output node " + id + " reports a result\n" + report);
        }
        Matcher files = FILE_LINE.matcher(stdout.toString());
        int fileCount = 0;
        while (files.find()) {
            fileCount++;
            Path written = Path.of(files.group(1));
            assertTrue(Files.isRegularFile(written) && Files.size(written) > 0, written + " exists\n" + report);
            assertTrue(written.startsWith(out) || written.startsWith(data), written + " is under the data folders");
        }
        boolean savesImages = workflow.nodes().stream().anyMatch(n -> "SaveImage".equals(n.classType()));
        assertTrue(!savesImages || fileCount > 0, "a SaveImage workflow reports its files\n" + report);
    }

    /**
     * Puts the reference fixtures' tiny random-weight checkpoints into {@code <data>/models/checkpoints}, where the
     * SD example workflows look for them (no model is shipped yet).
     */
    static void linkFixtureCheckpoints(Path data) throws IOException {
        Path checkpoints = Files.createDirectories(data.resolve("models/checkpoints"));
        Path fixtures = repoRoot().resolve("../shared/fixtures").normalize();
        try (Stream<Path> list = Files.list(fixtures)) {
            for (Path ckpt : list.filter(p -> p.getFileName().toString().endsWith(".safetensors")
                    && p.getFileName().toString().startsWith("sd15_tiny")).toList()) {
                Files.createSymbolicLink(checkpoints.resolve(ckpt.getFileName()), ckpt);
            }
        }
    }

    /** The repository root: {@code easel.repo.root} (set by surefire), else the parent of this module. */
    static Path repoRoot() {
        String property = System.getProperty("easel.repo.root");
        for (Path candidate : new Path[] {property == null ? null : Path.of(property), Path.of("").toAbsolutePath(),
                Path.of("").toAbsolutePath().getParent()}) {
            if (candidate != null && Files.isDirectory(candidate.resolve("workflows"))
                    && Files.isRegularFile(candidate.resolve("easel"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("cannot find the repository root (easel.repo.root=" + property + ")");
    }
}
