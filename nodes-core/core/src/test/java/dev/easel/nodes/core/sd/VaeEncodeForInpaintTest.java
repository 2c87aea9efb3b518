package dev.easel.nodes.core.sd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.value.Latent;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** VAEEncodeForInpaint against the reference's cases: greyed pixels, encoded samples, the grown mask (exact). */
class VaeEncodeForInpaintTest {

    private static final Path FIXTURES = Path.of(System.getProperty("easel.repo.root", "."))
            .resolve("../shared/fixtures").normalize();

    @TempDir
    Path dir;

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        double tolerance = 1e-4 * Math.max(1, expected.abs().amax().item().toDouble());
        double diff = actual.sub(expected).abs().amax().item().toDouble();
        assertTrue(diff <= tolerance, what + ": max |diff| " + diff);
    }

    @ParameterizedTest
    @ValueSource(strings = {"inpaint_vae_encode_64x64_grow6", "inpaint_vae_encode_70x45_grow5_soft"})
    void matchesTheReference(String name) throws Exception {
        Torch.load();
        long grow = 0;
        for (JsonNode c : new ObjectMapper().readTree(FIXTURES.resolve("workflows/index.json").toFile()).get("cases")) {
            if (c.get("case").asText().equals(name)) {
                grow = c.get("grow_mask_by").asLong();
            }
        }
        try (PointerScope scope = new PointerScope();
                SafetensorsFile ref = SafetensorsFile.open(FIXTURES.resolve("workflows/" + name + ".safetensors"));
                NodeRunner runner = new NodeRunner(new FakeNodeContext(dir))) {
            Tensor pixels = ref.load("in/pixels");
            Tensor mask = ref.load("in/mask");
            VaeEncodeForInpaint.Prepared prepared = VaeEncodeForInpaint.prepare(pixels, mask, grow);
            assertClose(ref.load("out/pixels_to_encoder"), prepared.pixels(), "pixels to the encoder");
            Tensor expectedMask = ref.load("out/noise_mask");
            assertArrayEquals(expectedMask.shape(), prepared.noiseMask().shape());
            assertTrue(prepared.noiseMask().equal(expectedMask), "noise mask, exactly");

            var parts = CheckpointLoading.load(FIXTURES.resolve("sd15_tiny_s1234_f16.safetensors"), ScalarType.Float);
            try {
                Latent latent = runner.own((Latent) runner.runForValue(new VaeEncodeForInpaint(), Map.of(
                        "pixels", TensorRef.of(pixels), "vae", parts.vae(), "mask", TensorRef.of(mask),
                        "grow_mask_by", grow)));
                assertClose(ref.load("out/samples"), latent.samples().tensor(), "samples");
                assertTrue(latent.noiseMask().orElseThrow().tensor().equal(expectedMask), "the latent's noise mask");
            } finally {
                parts.model().release();
                parts.clip().release();
                parts.vae().release();
            }
        }
    }

    @Test
    void aMaskOfTheWrongShapeOrATooSmallImageIsRefused() {
        Torch.load();
        try (PointerScope scope = new PointerScope()) {
            assertThrows(IllegalArgumentException.class, () -> VaeEncodeForInpaint.prepare(torch.zeros(1, 16, 16, 3),
                    torch.zeros(1, 1, 1, 16, 16), 6));
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> VaeEncodeForInpaint.prepare(torch.zeros(1, 7, 16, 3), torch.zeros(7, 16), 6));
            assertTrue(small.getMessage().contains("16×7"), small.getMessage());
        }
    }
}
