package dev.easel.nodes.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.testing.Tensors;
import dev.easel.runtime.TensorRef;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Lanczos against bytes from Pillow 9.4 ({@code Image.fromarray(a).resize((w, h), Image.Resampling.LANCZOS)}) for a
 * 7x5 RGB image with {@code a[i, j, c] = (37i + 91j + 53c + (29ij mod 71)) mod 256}.
 */
class LanczosResamplerTest {

    private static final int[] INPUT = {0, 53, 106, 91, 144, 197, 182, 235, 32, 17, 70, 123, 108, 161, 214, 37, 90,
        143, 157, 210, 7, 21, 74, 127, 70, 123, 176, 190, 243, 40, 74, 127, 180, 223, 20, 73, 45, 98, 151, 123, 176,
        229, 201, 254, 51, 111, 164, 217, 218, 15, 68, 69, 122, 175, 176, 229, 26, 27, 80, 133, 148, 201, 254, 28, 81,
        134, 93, 146, 199, 229, 26, 79, 38, 91, 144, 185, 238, 35, 23, 76, 129, 117, 170, 223, 211, 8, 61, 49, 102,
        155, 222, 19, 72, 89, 142, 195, 212, 9, 62, 8, 61, 114, 131, 184, 237};

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource(delimiter = ';', value = {
        "9;4;6,53,117,41,98,120,104,167,116,138,199,84,109,162,73,48,97,121,45,94,162,118,170,145,173,226,125,52,136,"
            + "215,134,104,145,227,59,54,157,42,68,35,84,155,57,153,192,138,209,154,158,216,88,158,204,46,153,238,214,"
            + "127,161,175,85,57,117,52,81,163,89,160,209,202,132,114,217,73,45,86,66,106,0,73,164,231,116,36,154,121,"
            + "85,55,119,158,85,111,178,171,82,135,149,26,92,94,33,105,93,112,170,101,169,214",
        "3;11;40,89,158,137,188,84,59,113,178,59,123,116,98,157,91,88,140,142,99,145,74,56,105,118,142,196,106,131,"
            + "96,105,83,81,155,170,232,130,157,65,138,125,99,139,132,217,122,155,89,160,140,122,104,84,155,89,108,130,"
            + "212,125,106,123,106,89,105,75,175,180,109,96,165,141,50,114,98,184,85,115,102,174,133,56,107,150,117,"
            + "96,124,69,129,97,103,152,180,65,138,128,42,92,73,133,187",
        "12;7;0,43,86,5,58,118,32,85,171,84,137,198,155,208,144,190,243,58,156,209,24,70,123,59,16,69,130,43,96,"
            + "182,96,149,209,128,181,224,14,67,168,51,104,128,112,165,64,156,209,9,124,177,23,49,102,91,6,59,158,"
            + "19,72,192,77,130,171,139,192,110,181,234,53,206,255,18,44,146,199,92,116,169,169,67,120,223,23,76,"
            + "176,26,75,77,74,120,33,117,184,64,145,237,129,180,224,175,221,146,197,249,68,209,255,21,89,191,244,"
            + "124,148,201,182,81,128,219,19,70,168,18,99,85,82,166,78,162,159,145,226,76,174,225,25,116,163,62,43,"
            + "96,120,0,53,155,169,222,255,136,189,242,85,132,185,32,83,136,17,98,151,58,142,195,135,132,185,217,"
            + "67,120,225,25,78,146,45,98,58,82,135,4,106,159,213,255,25,169,221,40,97,144,68,27,78,122,21,102,194,"
            + "79,163,231,155,152,197,213,63,112,207,7,60,137,36,89,65,89,142,21,123,176,247,0,48,207,33,86,138,95,"
            + "148,89,141,194,134,110,163,207,36,89,187,0,48,76,9,62,7,68,121,45,131,184,115,175,228,158,200,253",
        "5;3;24,73,131,156,149,89,86,136,88,48,122,175,172,225,105,111,179,217,164,36,74,54,122,190,191,154,101,81,"
            + "134,97,198,150,90,36,106,163,156,108,158,141,21,74,67,120,194",
        "2;2;99,111,125,113,158,121,128,113,142,115,93,130",
    })
    void matchesPillowByteForByte(long width, long height, String expectedBytes) throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir))) {
            float[] pixels = new float[INPUT.length];
            for (int i = 0; i < INPUT.length; i++) {
                // Half a step above each byte, so ComfyUI's truncation to 8 bits lands exactly on it.
                pixels[i] = (float) ((INPUT[i] + 0.5) / 255.0);
            }
            TensorRef image = Tensors.of(runner, pixels, 1, 7, 5, 3);
            TensorRef out = (TensorRef) runner.runForValue(new ImageScale(), Map.of("image", image,
                    "upscale_method", "lanczos", "width", width, "height", height, "crop", "disabled"));
            assertArrayEquals(new long[] {1, height, width, 3}, out.shape());
            float[] expected = toUnitFloats(expectedBytes);
            assertArrayEquals(expected, Tensors.values(out));
        }
    }

    private static float[] toUnitFloats(String bytes) {
        int[] b = Arrays.stream(bytes.split(",")).mapToInt(Integer::parseInt).toArray();
        float[] out = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] / 255f;
        }
        return out;
    }
}
