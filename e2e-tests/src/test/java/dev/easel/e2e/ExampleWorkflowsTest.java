package dev.easel.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.workflow.Workflow;
import dev.easel.engine.workflow.WorkflowNode;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.launcher.EaselCli;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every example in {@code workflows/} runs through the real CLI ({@code easel run}) with the real runtime, node packs
 * and Easel's shipped model (found as the distribution's {@code models/}, with the example images seeded into each
 * new data folder's {@code input/}): it must succeed, report every output node, write images of the expected size,
 * and write the same pixels when it runs again from scratch with the same seeds.
 */
class ExampleWorkflowsTest {

    private static final Pattern FILE_LINE = Pattern.compile("(?m)^  (/\\S.*)$");

    /** The images each example saves: width, height and how many. A new example must say what it makes. */
    private record Images(int width, int height, int count) {
    }

    private static final Map<String, Images> EXPECTED = Map.of(
            "color-blend", new Images(512, 512, 1),
            "math-and-text", new Images(0, 0, 0),
            "text-to-image", new Images(64, 64, 1),
            "image-to-image", new Images(64, 64, 1),
            "inpainting", new Images(64, 64, 1),
            "hires-fix", new Images(128, 128, 1),
            "sampler-custom-karras", new Images(64, 64, 2));

    @TempDir
    Path scratch;

    @TestFactory
    Stream<DynamicTest> everyExampleWorkflowRuns() throws IOException {
        Path dir = RepoFiles.root().resolve("workflows");
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no workflows in " + dir);
        NodeRegistry registry = NodeRegistry.fromClassPath(getClass().getClassLoader());
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
                () -> runTwiceAndCompare(file, registry)));
    }

    private void runTwiceAndCompare(Path file, NodeRegistry registry) throws Exception {
        String name = file.getFileName().toString().replace(".json", "");
        Images expected = EXPECTED.get(name);
        assertNotNull(expected, "add the images " + file + " saves to ExampleWorkflowsTest.EXPECTED");
        List<Path> first = runAndCheck(file, registry, name + "-1");
        List<Path> second = runAndCheck(file, registry, name + "-2");
        assertEquals(expected.count(), first.size(), "images saved by " + name + ": " + first);
        assertEquals(names(first), names(second), "the same files from both runs");
        for (int i = 0; i < first.size(); i++) {
            BufferedImage a = ImageIO.read(first.get(i).toFile());
            BufferedImage b = ImageIO.read(second.get(i).toFile());
            assertEquals(expected.width() + "x" + expected.height(), a.getWidth() + "x" + a.getHeight(),
                    "size of " + first.get(i));
            assertArrayEquals(pixels(a), pixels(b), "same seed, same pixels: " + first.get(i).getFileName());
        }
    }

    /** Runs {@code file} in a fresh data folder without the disk cache; answers the PNG files it reports, sorted. */
    private List<Path> runAndCheck(Path file, NodeRegistry registry, String runName) throws Exception {
        Path data = scratch.resolve(runName + "-data");
        Path out = scratch.resolve(runName + "-out");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cli = EaselCli.newCommandLine();
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));
        int code = cli.execute("run", file.toString(), "--data-dir", data.toString(), "--out", out.toString(),
                "--no-cache");
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
        List<Path> pngs = new ArrayList<>();
        Matcher files = FILE_LINE.matcher(stdout.toString());
        while (files.find()) {
            Path written = Path.of(files.group(1));
            assertTrue(Files.isRegularFile(written) && Files.size(written) > 0, written + " exists\n" + report);
            assertTrue(written.startsWith(out) || written.startsWith(data), written + " is under the data folders");
            if (written.toString().endsWith(".png")) {
                pngs.add(written);
            }
        }
        pngs.sort(null);
        return pngs;
    }

    private static List<String> names(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).toList();
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
