package dev.easel.nodes.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.node.Folders;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.testing.Tensors;
import dev.easel.runtime.TensorRef;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadImageTest {

    @TempDir
    Path dir;
    private Folders folders;

    @BeforeEach
    void folders() throws Exception {
        folders = Folders.of(dir.resolve("output"), dir.resolve("input"), dir.resolve("temp"));
        Files.createDirectories(folders.input());
        Files.createDirectories(folders.output());
        BufferedImage rgba = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x80FF0000); // half-transparent red
        rgba.setRGB(1, 0, 0xFF00FF00); // opaque green
        ImageIO.write(rgba, "png", folders.input().resolve("a.png").toFile());
        BufferedImage rgb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(1, 1, 0x0000FF);
        ImageIO.write(rgb, "png", folders.output().resolve("b.png").toFile());
        Files.writeString(folders.input().resolve("notes.txt"), "not an image");
    }

    @Test
    void listsTopLevelImagesAndLoadsPixelsAndInvertedAlpha() throws Exception {
        LoadImage node = new LoadImage(folders);
        assertEquals(List.of("a.png"), node.schema().input("image").orElseThrow().comboOptions());
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir))) {
            NodeOutput out = runner.run(node, Map.of("image", "a.png"));
            TensorRef image = runner.own((TensorRef) out.values().get(0));
            TensorRef mask = runner.own((TensorRef) out.values().get(1));
            assertArrayEquals(new long[] {1, 2, 3, 3}, image.shape());
            float[] px = Tensors.values(image);
            assertEquals(1f, px[0]);
            assertEquals(0f, px[1]);
            assertEquals(1f, px[4], "green of the second pixel");
            assertArrayEquals(new long[] {1, 2, 3}, mask.shape());
            float[] m = Tensors.values(mask);
            assertEquals(1f - 0x80 / 255f, m[0], 1e-6);
            assertEquals(0f, m[1]);
            assertEquals(1f, m[2], "fully transparent pixels are fully masked");
        }
    }

    @Test
    void annotatedNamesPickAnotherFolderAndOpaqueImagesGetAZeroMask() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir))) {
            NodeOutput out = runner.run(new LoadImage(folders), Map.of("image", "b.png [output]"));
            runner.own((TensorRef) out.values().get(0));
            TensorRef mask = runner.own((TensorRef) out.values().get(1));
            assertArrayEquals(new long[] {1, 64, 64}, mask.shape());
            TensorRef blue = runner.own((TensorRef) runner.runForValue(new LoadImageMask(folders),
                    Map.of("image", "b.png [output]", "channel", "blue")));
            assertArrayEquals(new float[] {0, 0, 0, 1}, Tensors.values(blue));
        }
    }

    @Test
    void missingFilesAndEscapesAreValidationErrorsAndTheFingerprintFollowsTheContent() throws Exception {
        LoadImage node = new LoadImage(folders);
        assertEquals("image", node.validateInputs(NodeInputs.of(Map.of("image", "nope.png"))).get(0).inputName());
        assertEquals(1, node.validateInputs(NodeInputs.of(Map.of("image", "../output/b.png"))).size());
        assertTrue(node.validateInputs(NodeInputs.of(Map.of("image", "a.png"))).isEmpty());
        assertThrows(java.io.IOException.class, () -> InputImages.resolve(folders, "/etc/passwd"));
        Object before = node.fingerprint(NodeInputs.of(Map.of("image", "a.png")));
        BufferedImage other = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
        ImageIO.write(other, "png", folders.input().resolve("a.png").toFile());
        assertNotEquals(before, node.fingerprint(NodeInputs.of(Map.of("image", "a.png"))));
    }
}
