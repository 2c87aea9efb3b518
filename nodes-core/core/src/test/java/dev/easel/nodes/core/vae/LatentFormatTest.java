package dev.easel.nodes.core.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.runtime.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LatentFormatTest {

    @BeforeAll
    static void loadTorch() {
        Torch.load();
    }

    @Test
    void scalesBetweenVaeAndModelSpace() {
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(3);
            Tensor vae = torch.randn(2, 4, 5, 6);
            Tensor model = LatentFormat.SD15.processIn(vae);
            assertTrue(VaeFixtures.maxAbsDiff(model, vae.mul(new Scalar(0.18215))) == 0);
            assertTrue(VaeFixtures.maxAbsDiff(LatentFormat.SD15.processOut(model), vae) < 1e-6);
        }
    }

    @Test
    void previewMapsEachLatentChannelThroughItsRow() {
        try (PointerScope scope = new PointerScope()) {
            double[] f = LatentFormat.SD15.rgbFactors();
            assertEquals(12, f.length);
            float[] latent = new float[4 * 2 * 3]; // [C=4, h=2, w=3]
            for (int c = 0; c < 4; c++) {
                latent[c * 6 + c % 3] = c == 3 ? -1f : 1f;
            }
            float[] px = LatentFormat.SD15.previewRgb(latent, 2, 3);
            assertEquals(18, px.length);
            // cell (0, 0) holds channels 0 (+1) and 3 (-1); (0, 1) channel 1; (0, 2) channel 2; row 1 is all zero
            for (int k = 0; k < 3; k++) {
                assertEquals(clamp((f[k] - f[9 + k] + 1) / 2), px[k], 1e-6);
                assertEquals(clamp((f[3 + k] + 1) / 2), px[3 + k], 1e-6);
                assertEquals(clamp((f[6 + k] + 1) / 2), px[6 + k], 1e-6);
                assertEquals(0.5, px[9 + k], 1e-7);
            }
            assertThrows(IllegalArgumentException.class, () -> LatentFormat.SD15.previewRgb(new float[12], 2, 2));
        }
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
