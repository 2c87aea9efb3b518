package dev.easel.nodes.core.latent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.testing.Tensors;
import dev.easel.nodes.core.value.Latent;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmptyLatentImageTest {

    @TempDir
    Path dir;

    @Test
    void makesZeroLatentsAnEighthOfTheSize() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir))) {
            Latent latent = (Latent) runner.runForValue(new EmptyLatentImage(),
                    Map.of("width", 768L, "height", 516L, "batch_size", 2L));
            assertArrayEquals(new long[] {2, 4, 64, 96}, latent.samples().shape(), "516 / 8 rounds down to 64");
            assertEquals(ScalarType.Float, latent.samples().dtype());
            assertEquals("cpu", latent.samples().device());
            assertTrue(latent.noiseMask().isEmpty());
            for (float v : Tensors.values(latent.samples())) {
                assertEquals(0f, v);
            }
        }
    }
}
