package dev.easel.nodes.core.vae;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.upsample_nearest2d;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TiledVaeTest {

    private static AutoencoderKL vae;

    @BeforeAll
    static void load() throws IOException {
        vae = VaeFixtures.tinyVae();
    }

    @AfterAll
    static void free() {
        vae.release();
    }

    /** A latent of 16x24 cells (128x192 pixels), standard normal, seeded. */
    private static Tensor bigLatent() {
        manual_seed(1234);
        return randn(1, 4, 16, 24);
    }

    @Test
    void tilePositionsFollowComfyUi() {
        assertEquals(List.of(0L), Tiler.positions(8, 8, 2));
        assertEquals(List.of(0L, 6L, 12L, 18L), Tiler.positions(24, 8, 2)); // range(0, 24 - 2, 8 - 2)
        assertEquals(List.of(0L, 4L), Tiler.positions(10, 8, 4));
    }

    @Test
    void blendingReproducesAPointwiseFunctionExactly() {
        try (PointerScope scope = new PointerScope()) {
            manual_seed(7);
            Tensor x = randn(1, 3, 24, 30);
            Tiler.Fn up = t -> upsample_nearest2d(t, new long[] {t.size(2) * 8, t.size(3) * 8});
            Tensor whole = up.apply(x);
            Tensor tiled = Tiler.tiledScale(x, up, 8, 8, 2, 8, 3);
            assertArrayEquals(whole.shape(), tiled.shape());
            assertTrue(VaeFixtures.maxAbsDiff(whole, tiled) < 1e-6, "feathered weights sum to one everywhere");
            Tiler.Fn down = t -> t.narrow(2, 0, t.size(2) / 8).narrow(3, 0, t.size(3) / 8); // shape only
            assertArrayEquals(new long[] {1, 3, 3, 4}, Tiler.tiledScale(randn(1, 3, 24, 32), down, 16, 8, 4, 0.125, 3)
                    .shape());
        }
    }

    @Test
    void tiledDecodeIsCloseToUntiled() {
        try (PointerScope scope = new PointerScope()) {
            Tensor latent = bigLatent();
            Tensor whole = vae.decode(latent);
            // Tiles see only their own GroupNorm statistics and attention context, so the tiled result differs
            // everywhere, less with larger tiles. Measured relative RMS on this 128x192 image: 0.26 at 128/32 (on a 192x320
            // image: 0.32 at 128/32, 0.11 at 256/64). ComfyUI's tiled decode has the same property.
            Tensor tiled = vae.decodeTiled(latent, 128, 32);
            assertArrayEquals(whole.shape(), tiled.shape());
            assertTrue(relativeRms("decode 128/32", whole, tiled) < 0.3);
        }
    }

    @Test
    void tiledEncodeIsCloseToUntiled() {
        try (PointerScope scope = new PointerScope()) {
            Tensor image = AutoencoderKL.toImage(vae.decode(bigLatent()));
            Tensor whole = vae.encode(image);
            // measured relative RMS: 0.17 at 128/32 (192x320 image: 0.23 at 128/32, 0.10 at 256/64)
            Tensor tiled = vae.encodeTiled(image, 128, 32);
            assertArrayEquals(whole.shape(), tiled.shape());
            assertTrue(relativeRms("encode 128/32", whole, tiled) < 0.3);
        }
    }

    /** sqrt(mean((whole - tiled)^2) / mean(whole^2)), printed with the max and mean absolute differences. */
    private static double relativeRms(String what, Tensor whole, Tensor tiled) {
        Tensor diff = whole.sub(tiled);
        double rel = Math.sqrt(diff.square().mean().item().toDouble() / whole.square().mean().item().toDouble());
        System.out.printf("[vae tiled] %-14s relative RMS %.4f, max|tiled-whole| %.4f, mean %.5f (max|whole| %.3f)%n",
                what, rel, VaeFixtures.maxAbs(diff), diff.abs().mean().item().toDouble(), VaeFixtures.maxAbs(whole));
        return rel;
    }

    @Test
    void oneTileIsExactlyTheUntiledResult() throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> dec = VaeFixtures.readCase("tiny_vae_decode_b2_6x10.safetensors");
            Tensor latent = dec.get("in/vae_latent"); // 48x80 pixels
            assertTrue(vae.decode(latent).equal(vae.decodeTiled(latent, 128, 64)));
            assertTrue(vae.decode(latent).equal(vae.decodeTiled(latent, 512, 64)));
            Map<String, Tensor> enc = VaeFixtures.readCase("tiny_vae_encode_70x45_crop.safetensors");
            Tensor pixels = enc.get("in/vae_pixels");
            assertTrue(vae.encode(pixels).equal(vae.encodeTiled(pixels, 64, 32)));
            assertTrue(vae.encode(pixels).equal(vae.encodeTiled(pixels, 512, 64)));
        }
    }

    @Test
    void rejectsTileSizesThatDoNotDivide() {
        try (PointerScope scope = new PointerScope()) {
            Tensor latent = randn(1, 4, 8, 8);
            assertThrows(IllegalArgumentException.class, () -> vae.decodeTiled(latent, 48, 8));
            assertThrows(IllegalArgumentException.class, () -> vae.decodeTiled(latent, 64, 12));
            assertThrows(IllegalArgumentException.class, () -> vae.decodeTiled(latent, 32, 8));
        }
    }
}
