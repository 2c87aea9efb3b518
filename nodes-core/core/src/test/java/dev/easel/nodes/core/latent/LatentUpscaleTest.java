package dev.easel.nodes.core.latent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.testing.Tensors;
import dev.easel.nodes.core.value.Latent;
import dev.easel.runtime.TensorRef;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentUpscaleTest {

    @TempDir
    Path dir;

    private static Latent ramp(NodeRunner runner) {
        // 1x4x8x8 with distinct values, so nearest-exact scaling can be checked element by element.
        return runner.own(Latent.of(TensorRef.of(torch.arange(new org.bytedeco.pytorch.Scalar(256))
                .to(torch.ScalarType.Float).reshape(1, 4, 8, 8))));
    }

    @Test
    void scalesToPixelSizesAndKeepsTheAspectWhenOneSideIsZero() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir))) {
            Latent in = ramp(runner);
            Latent wide = (Latent) runner.runForValue(new LatentUpscale(), Map.of("samples", in,
                    "upscale_method", "nearest-exact", "width", 128L, "height", 96L, "crop", "disabled"));
            assertArrayEquals(new long[] {1, 4, 12, 16}, wide.samples().shape());
            Latent aspect = (Latent) runner.runForValue(new LatentUpscale(), Map.of("samples", in,
                    "upscale_method", "bilinear", "width", 0L, "height", 128L, "crop", "disabled"));
            assertArrayEquals(new long[] {1, 4, 16, 16}, aspect.samples().shape());
            Latent same = (Latent) runner.runForValue(new LatentUpscale(), Map.of("samples", in,
                    "upscale_method", "area", "width", 0L, "height", 0L, "crop", "disabled"));
            assertSame(in, same);
        }
    }

    @Test
    void nearestExactDoublingRepeatsEachValue() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir))) {
            Latent in = ramp(runner);
            Latent doubled = (Latent) runner.runForValue(new LatentUpscaleBy(), Map.of("samples", in,
                    "upscale_method", "nearest-exact", "scale_by", 2.0));
            assertArrayEquals(new long[] {1, 4, 16, 16}, doubled.samples().shape());
            float[] out = Tensors.values(doubled.samples());
            for (int c = 0; c < 4; c++) {
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        assertEquals(c * 64 + (y / 2) * 8 + x / 2, out[c * 256 + y * 16 + x]);
                    }
                }
            }
            Latent odd = (Latent) runner.runForValue(new LatentUpscaleBy(), Map.of("samples", in,
                    "upscale_method", "bicubic", "scale_by", 1.5));
            assertArrayEquals(new long[] {1, 4, 12, 12}, odd.samples().shape());
        }
    }
}
