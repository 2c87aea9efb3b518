package dev.easel.nodes.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.testing.Tensors;
import dev.easel.runtime.TensorRef;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageNodesTest {

    @TempDir
    Path dir;
    private NodeRunner runner;

    @BeforeEach
    void setUp() {
        runner = new NodeRunner(new FakeNodeContext(dir));
    }

    @AfterEach
    void tearDown() {
        runner.close();
    }

    /** A 1x1x2 RGB image: two pixels. */
    private TensorRef twoPixels(float... rgbRgb) {
        return Tensors.of(runner, rgbRgb, 1, 1, 2, 3);
    }

    @Test
    void emptyImageIsFilledWithTheColour() throws Exception {
        TensorRef image = (TensorRef) runner.runForValue(new EmptyImage(),
                Map.of("width", 3L, "height", 2L, "batch_size", 2L, "color", 0xFF8000L));
        assertArrayEquals(new long[] {2, 2, 3, 3}, image.shape());
        float[] v = Tensors.values(image);
        for (int p = 0; p < v.length; p += 3) {
            assertEquals(1.0f, v[p]);
            assertEquals((float) (128 / 255.0), v[p + 1]);
            assertEquals(0.0f, v[p + 2]);
        }
    }

    @Test
    void invertIsOneMinus() throws Exception {
        TensorRef image = twoPixels(0f, 0.25f, 1f, 0.5f, 0.75f, 0.1f);
        TensorRef inverted = (TensorRef) runner.runForValue(new ImageInvert(), Map.of("image", image));
        assertArrayEquals(new float[] {1f, 0.75f, 0f, 0.5f, 0.25f, 1 - 0.1f}, Tensors.values(inverted));
    }

    @Test
    void multiplyBlendAtFullStrengthIsTheElementwiseProduct() throws Exception {
        float[] a = {0.2f, 0.5f, 1f, 0.9f, 0.3f, 0f};
        float[] b = {0.5f, 0.5f, 0.25f, 1f, 0.6f, 0.7f};
        float[] out = blend(a, b, 1.0, "multiply");
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] * b[i], out[i], 1e-7f, "element " + i);
        }
    }

    @Test
    void blendFactorMixesWithTheBase() throws Exception {
        float[] a = {0.2f, 0.4f, 0.6f, 0.8f, 1f, 0f};
        float[] b = {1f, 1f, 1f, 0f, 0f, 0f};
        float[] out = blend(a, b, 0.25, "normal");
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] * 0.75f + b[i] * 0.25f, out[i], 1e-6f, "element " + i);
        }
    }

    @Test
    void blendModesFollowComfyUiFormulas() throws Exception {
        float[] a = {0.1f, 0.3f, 0.5f, 0.7f, 0.9f, 0.2f};
        float[] b = {0.6f, 0.2f, 0.9f, 0.4f, 0.5f, 0.8f};
        float[] screen = blend(a, b, 1.0, "screen");
        float[] overlay = blend(a, b, 1.0, "overlay");
        float[] softLight = blend(a, b, 1.0, "soft_light");
        float[] difference = blend(a, b, 1.0, "difference");
        for (int i = 0; i < a.length; i++) {
            double x = a[i];
            double y = b[i];
            assertEquals(1 - (1 - x) * (1 - y), screen[i], 1e-6, "screen " + i);
            assertEquals(x <= 0.5 ? 2 * x * y : 1 - 2 * (1 - x) * (1 - y), overlay[i], 1e-6, "overlay " + i);
            double g = x <= 0.25 ? ((16 * x - 12) * x + 4) * x : Math.sqrt(x);
            double soft = y <= 0.5 ? x - (1 - 2 * y) * x * (1 - x) : x + (2 * y - 1) * (g - x);
            assertEquals(soft, softLight[i], 1e-6, "soft_light " + i);
            assertEquals(Math.max(0, x - y), difference[i], 1e-6, "difference is signed, then clamped " + i);
        }
    }

    @Test
    void blendResizesTheSecondImage() throws Exception {
        TensorRef base = Tensors.of(runner, new float[4 * 6 * 3], 1, 4, 6, 3);
        TensorRef small = Tensors.of(runner, new float[] {1f, 1f, 1f}, 1, 1, 1, 3);
        TensorRef out = (TensorRef) runner.runForValue(new ImageBlend(),
                Map.of("image1", base, "image2", small, "blend_factor", 0.5, "blend_mode", "normal"));
        assertArrayEquals(new long[] {1, 4, 6, 3}, out.shape());
        for (float v : Tensors.values(out)) {
            assertEquals(0.5f, v, 1e-6f);
        }
    }

    private float[] blend(float[] a, float[] b, double factor, String mode) throws Exception {
        TensorRef out = (TensorRef) runner.runForValue(new ImageBlend(), Map.of("image1", twoPixels(a),
                "image2", twoPixels(b), "blend_factor", factor, "blend_mode", mode));
        return Tensors.values(out);
    }

    @Test
    void scaleWithNearestExactDuplicatesPixels() throws Exception {
        TensorRef image = Tensors.of(runner, new float[] {0f, 0.5f, 1f, 0.25f}, 1, 2, 2, 1);
        TensorRef out = (TensorRef) runner.runForValue(new ImageScale(), Map.of("image", image,
                "upscale_method", "nearest-exact", "width", 4L, "height", 4L, "crop", "disabled"));
        assertArrayEquals(new long[] {1, 4, 4, 1}, out.shape());
        assertArrayEquals(new float[] {
            0f, 0f, 0.5f, 0.5f,
            0f, 0f, 0.5f, 0.5f,
            1f, 1f, 0.25f, 0.25f,
            1f, 1f, 0.25f, 0.25f}, Tensors.values(out));
    }

    @Test
    void scaleWithAreaAverages() throws Exception {
        TensorRef image = Tensors.of(runner, new float[] {0f, 0.5f, 1f, 0.25f}, 1, 2, 2, 1);
        TensorRef out = (TensorRef) runner.runForValue(new ImageScaleBy(), Map.of("image", image,
                "upscale_method", "area", "scale_by", 0.5));
        assertArrayEquals(new float[] {0.4375f}, Tensors.values(out));
    }

    @Test
    void scaleKeepsTheAspectRatioWhenASideIsZero() throws Exception {
        TensorRef image = Tensors.of(runner, new float[10 * 20 * 3], 1, 10, 20, 3);
        TensorRef out = (TensorRef) runner.runForValue(new ImageScale(), Map.of("image", image,
                "upscale_method", "bilinear", "width", 0L, "height", 25L, "crop", "disabled"));
        assertArrayEquals(new long[] {1, 25, 50, 3}, out.shape());
        Object same = runner.runForValue(new ImageScale(), Map.of("image", image,
                "upscale_method", "bicubic", "width", 0L, "height", 0L, "crop", "disabled"));
        assertSame(image, same);
    }

    @Test
    void centerCropTakesTheMiddle() throws Exception {
        // A 4x1 row 0, 1/3, 2/3, 1 cropped to the 2:1 aspect keeps the middle two pixels.
        TensorRef image = Tensors.of(runner, new float[] {0f, 1 / 3f, 2 / 3f, 1f}, 1, 1, 4, 1);
        TensorRef out = (TensorRef) runner.runForValue(new ImageScale(), Map.of("image", image,
                "upscale_method", "nearest-exact", "width", 2L, "height", 1L, "crop", "center"));
        assertArrayEquals(new float[] {1 / 3f, 2 / 3f}, Tensors.values(out));
    }

    @Test
    void scaleByToNothingIsAClearError() {
        TensorRef image = Tensors.of(runner, new float[3], 1, 1, 1, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> runner.runForValue(
                new ImageScaleBy(), Map.of("image", image, "upscale_method", "bilinear", "scale_by", 0.1)));
        assertTrue(e.getMessage().contains("scale_by"), e.getMessage());
    }

    @Test
    void wrongLayoutNamesTheInput() {
        TensorRef notAnImage = Tensors.of(runner, new float[4], 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> runner.runForValue(new ImageInvert(), Map.of("image", notAnImage)));
        assertTrue(e.getMessage().contains("'image'"), e.getMessage());
    }
}
