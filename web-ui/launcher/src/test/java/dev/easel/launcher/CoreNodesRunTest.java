package dev.easel.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.workflow.WorkflowParser;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs small workflows of the core nodes through the CLI with the real runtime (libtorch). */
class CoreNodesRunTest {

    @TempDir
    Path dir;

    @Test
    void savesAPngWithThePromptAndPrintsItsAbsolutePath() throws IOException {
        Path wf = Files.writeString(dir.resolve("save.json"), """
                {"1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 4, "batch_size": 1, "color": 255}},
                 "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
                 "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "sub/test"}}}""");
        Path out = dir.resolve("out");
        CliHarness.Result r = new CliHarness().execute("run", wf.toString(), "--out", out.toString(),
                "--data-dir", dir.resolve("data").toString(), "--set", "1.width=16");
        assertEquals(ExitCodes.SUCCESS, r.exitCode(), r.toString());

        Matcher printed = Pattern.compile("(?m)^  (/.*\\.png)$").matcher(r.out());
        assertTrue(printed.find(), r.toString());
        Path png = Path.of(printed.group(1));
        assertTrue(png.isAbsolute() && png.startsWith(out.toAbsolutePath().resolve("sub")), r.toString());
        assertTrue(Files.isRegularFile(png), r.toString());

        Map<String, String> text = pngTextChunks(Files.readAllBytes(png));
        JsonNode prompt = WorkflowParser.mapper().readTree(text.get("prompt"));
        assertEquals("SaveImage", prompt.at("/3/class_type").asText());
        assertEquals(16, prompt.at("/1/inputs/width").asInt(), "the PNG records the prompt after --set");
    }

    @Test
    void runsShareADiskCacheUnderTheDataFolderAndOutputNodesAlwaysWrite() throws IOException {
        Path wf = Files.writeString(dir.resolve("blend.json"), """
                {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 255}},
                 "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
                 "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "blend"}}}""");
        String data = dir.resolve("data").toString();
        CliHarness.Result first = new CliHarness().execute("run", wf.toString(), "--data-dir", data);
        assertEquals(ExitCodes.SUCCESS, first.exitCode(), first.toString());
        assertTrue(Files.isDirectory(dir.resolve("data/cache")), first.toString());
        // Whether cheap intermediates are worth a disk file is the cache's call (measured time vs size); the
        // output node runs either way, so each run writes its own image.
        CliHarness.Result second = new CliHarness().execute("run", wf.toString(), "--data-dir", data);
        assertEquals(ExitCodes.SUCCESS, second.exitCode(), second.toString());
        assertTrue(Files.isRegularFile(dir.resolve("data/output/blend_00002_.png")), second.toString());

        String other = dir.resolve("other").toString();
        CliHarness.Result uncached = new CliHarness().execute("run", wf.toString(), "--data-dir", other, "--no-cache");
        assertEquals(ExitCodes.SUCCESS, uncached.exitCode(), uncached.toString());
        assertTrue(!Files.exists(dir.resolve("other/cache")), "--no-cache leaves no cache behind");
    }

    @Test
    void aNodeFailingAtRunTimeExitsThree() throws IOException {
        Path wf = Files.writeString(dir.resolve("divide.json"), """
                {"1": {"class_type": "IntMath", "inputs": {"a": 1, "b": 0, "operation": "divide"}},
                 "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}""");
        CliHarness.Result r = new CliHarness().execute("run", wf.toString(), "--data-dir",
                dir.resolve("data").toString());
        assertEquals(ExitCodes.EXECUTION, r.exitCode(), r.toString());
        assertTrue(r.err().contains("error: node 1 (IntMath) failed: "), r.toString());
        assertTrue(r.err().contains("  at dev.easel.nodes.core.math.IntMath"), r.toString());
    }

    /** The tEXt chunks of a PNG, keyword to text (Latin-1, as the PNG spec says). */
    static Map<String, String> pngTextChunks(byte[] png) throws IOException {
        Map<String, String> chunks = new LinkedHashMap<>();
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(png));
        in.skipNBytes(8);
        while (in.available() > 0) {
            int length = in.readInt();
            String type = new String(in.readNBytes(4), StandardCharsets.US_ASCII);
            byte[] data = in.readNBytes(length);
            in.skipNBytes(4);
            if (type.equals("tEXt")) {
                int nul = 0;
                while (data[nul] != 0) {
                    nul++;
                }
                chunks.put(new String(data, 0, nul, StandardCharsets.ISO_8859_1),
                        new String(data, nul + 1, data.length - nul - 1, StandardCharsets.ISO_8859_1));
            }
        }
        return chunks;
    }
}
