package dev.easel.nodes.core.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.node.NodeOutput;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.testing.PngChunks;
import dev.easel.nodes.core.testing.Tensors;
import dev.easel.runtime.TensorRef;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaveImageTest {

    private static final Clock NOON = Clock.fixed(LocalDateTime.of(2024, 3, 7, 12, 5, 9).toInstant(ZoneOffset.UTC),
            ZoneOffset.UTC);

    @TempDir
    Path dir;
    private FakeNodeContext context;
    private NodeRunner runner;
    private Path output;

    @BeforeEach
    void setUp() {
        context = new FakeNodeContext(dir);
        runner = new NodeRunner(context);
        output = context.folders().output();
    }

    @AfterEach
    void tearDown() {
        runner.close();
    }

    /** A 2x3 RGB image (height 2, width 3) whose bytes, after ComfyUI's truncation, are 0, 10, 20, ... 170. */
    private TensorRef image(int batch) {
        float[] values = new float[batch * 2 * 3 * 3];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (((i % 18) * 10 + 0.5) / 255.0);
        }
        return Tensors.of(runner, values, batch, 2, 3, 3);
    }

    private NodeOutput save(TensorRef images, String prefix, Map<String, Object> prompt, Map<String, Object> extra)
            throws Exception {
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("images", images);
        inputs.put("filename_prefix", prefix);
        inputs.put("prompt", prompt);
        inputs.put("extra_pnginfo", extra);
        return runner.run(new SaveImage(NOON), inputs);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> images(NodeOutput out) {
        return (List<Map<String, Object>>) (List<?>) out.ui().get("images");
    }

    @Test
    void writesAPngWithThePromptAndWorkflowAndTheRightPixels() throws Exception {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("class_type", "KSampler");
        node.put("inputs", Map.of("seed", 5L));
        Map<String, Object> prompt = Map.of("3", node);
        Map<String, Object> extra = Map.of("workflow", Map.of("nodes", List.of(1L, 2L), "version", 0.4));
        NodeOutput out = save(image(1), "ComfyUI", prompt, extra);

        assertEquals(List.of(Map.of("filename", "ComfyUI_00001_.png", "subfolder", "", "type", "output")),
                images(out));
        assertTrue(out.values().isEmpty());
        Path png = output.resolve("ComfyUI_00001_.png");

        Map<String, String> text = PngChunks.text(png);
        assertEquals(List.of("prompt", "workflow"), List.copyOf(text.keySet()));
        assertEquals("{\"3\": {\"class_type\": \"KSampler\", \"inputs\": {\"seed\": 5}}}", text.get("prompt"),
                "Python json.dumps layout");
        assertEquals(Map.of("3", Map.of("class_type", "KSampler", "inputs", Map.of("seed", 5))),
                new ObjectMapper().readValue(text.get("prompt"), Map.class), "parses back (small ints as Integer)");
        assertEquals(Map.of("nodes", List.of(1, 2), "version", 0.4),
                new ObjectMapper().readValue(text.get("workflow"), Map.class));

        BufferedImage read = ImageIO.read(png.toFile());
        assertEquals(3, read.getWidth());
        assertEquals(2, read.getHeight());
        Raster raster = read.getRaster();
        assertEquals(3, raster.getNumBands());
        int[] pixel = new int[3];
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                int base = (y * 3 + x) * 3;
                assertArrayEquals(new int[] {base * 10, (base + 1) * 10, (base + 2) * 10}, raster.getPixel(x, y, pixel),
                        "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void textChunksPrecedeTheImageDataAndStayAscii() throws Exception {
        save(image(1), "ComfyUI", Map.of("text", "caf\u00e9 \u732b"), null);
        List<PngChunks.Chunk> chunks = PngChunks.read(output.resolve("ComfyUI_00001_.png"));
        List<String> types = chunks.stream().map(PngChunks.Chunk::type).toList();
        assertTrue(types.indexOf("tEXt") < types.indexOf("IDAT"), types.toString());
        String prompt = PngChunks.text(output.resolve("ComfyUI_00001_.png")).get("prompt");
        assertTrue(prompt.chars().allMatch(c -> c < 128), prompt);
        assertEquals(Map.of("text", "caf\u00e9 \u732b"), new ObjectMapper().readValue(prompt, Map.class));
    }

    @Test
    void counterContinuesAfterTheHighestExistingFile() throws Exception {
        Files.createFile(output.resolve("ComfyUI_00041_.png"));
        Files.createFile(output.resolve("ComfyUI_extra_00099_.png")); // another prefix
        Files.createFile(output.resolve("Other_00500_.png"));
        NodeOutput first = save(image(2), "ComfyUI", null, null);
        assertEquals(List.of("ComfyUI_00042_.png", "ComfyUI_00043_.png"),
                images(first).stream().map(m -> m.get("filename")).toList());
        NodeOutput second = save(image(1), "ComfyUI", null, null);
        assertEquals("ComfyUI_00044_.png", images(second).get(0).get("filename"));
        assertTrue(PngChunks.text(output.resolve("ComfyUI_00044_.png")).isEmpty(), "no prompt, no chunks");
    }

    @Test
    void prefixMayNameASubfolder() throws Exception {
        NodeOutput out = save(image(1), "portraits/2024/me", null, null);
        assertEquals(Map.of("filename", "me_00001_.png", "subfolder", "portraits/2024", "type", "output"),
                images(out).get(0));
        assertTrue(Files.isRegularFile(output.resolve("portraits/2024/me_00001_.png")));
    }

    @Test
    void substitutesSizeAndDate() throws Exception {
        NodeOutput out = save(image(2), "%year%-%month%-%day%/img_%width%x%height%_%hour%%minute%%second%_b%batch_num%",
                null, null);
        assertEquals(List.of("img_3x2_120509_b0_00001_.png", "img_3x2_120509_b1_00002_.png"),
                images(out).stream().map(m -> m.get("filename")).toList());
        assertEquals("2024-03-07", images(out).get(0).get("subfolder"));
        NodeOutput again = save(image(1), "%year%-%month%-%day%/img_%width%x%height%_%hour%%minute%%second%"
                + "_b%batch_num%", null, null);
        assertEquals("img_3x2_120509_b0_00003_.png", images(again).get(0).get("filename"),
                "%batch_num% files count towards the counter");
    }

    @Test
    void prefixOutsideTheOutputFolderIsRejected() throws Exception {
        for (String prefix : List.of("../evil", "a/../../evil", "/tmp/evil", "..")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> save(image(1), prefix, null, null), prefix);
            assertTrue(e.getMessage().contains("outside the output folder"), e.getMessage());
        }
        try (Stream<Path> all = Files.walk(dir)) {
            assertFalse(all.anyMatch(p -> p.getFileName().toString().startsWith("evil")));
        }
        assertThrows(IllegalArgumentException.class, () -> save(image(1), "", null, null));
    }

    @Test
    void badExtraPngInfoKeysAreSkippedAndLogged() throws Exception {
        Map<String, Object> extra = new HashMap<>();
        extra.put("workflow", Map.of());
        extra.put(" bad key", "x");
        save(image(1), "ComfyUI", null, extra);
        assertEquals(List.of("workflow"), List.copyOf(PngChunks.text(output.resolve("ComfyUI_00001_.png")).keySet()));
        assertTrue(context.logged().stream().anyMatch(m -> m.contains(" bad key")), context.logged().toString());
    }

    @Test
    void concurrentSavesNeverOverwriteEachOther() throws Exception {
        TensorRef images = image(1);
        int threads = 4;
        int savesEach = 5;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    try (NodeRunner own = new NodeRunner(context)) {
                        for (int i = 0; i < savesEach; i++) {
                            own.run(new SaveImage(NOON), Map.of("images", images, "filename_prefix", "race"));
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> files = Files.list(output)) {
            long saved = files.filter(p -> p.getFileName().toString().startsWith("race_")).count();
            assertEquals(threads * savesEach, saved);
        }
    }

    @Test
    void previewImageWritesToTempWithARandomPrefix() throws Exception {
        NodeOutput out = runner.run(new PreviewImage(), Map.of("images", image(1)));
        Map<String, Object> entry = images(out).get(0);
        assertEquals("temp", entry.get("type"));
        assertEquals("", entry.get("subfolder"));
        String name = (String) entry.get("filename");
        assertTrue(name.matches("ComfyUI_temp_[a-z]{5}_00001_\\.png"), name);
        assertTrue(Files.isRegularFile(context.folders().temp().resolve(name)));
    }
}
