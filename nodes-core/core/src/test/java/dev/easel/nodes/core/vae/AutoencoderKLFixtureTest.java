package dev.easel.nodes.core.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The tiny SD1.5 VAE against ComfyUI's outputs (../shared/fixtures/components, tiny_vae_* cases). */
class AutoencoderKLFixtureTest {

    private static AutoencoderKL vae;

    @BeforeAll
    static void load() throws IOException {
        vae = VaeFixtures.tinyVae();
    }

    @AfterAll
    static void free() {
        vae.release();
    }

    /** The VAE cases of components/index.json: case name, file, output names. */
    static Stream<Object[]> cases() throws IOException {
        JsonNode index = VaeFixtures.json("components/index.json");
        assertEquals(VaeFixtures.CHECKPOINT, index.get("checkpoint").asText());
        List<Object[]> out = new ArrayList<>();
        for (JsonNode c : index.get("cases")) {
            if (c.get("case").asText().startsWith("tiny_vae_")) {
                List<String> outputs = new ArrayList<>();
                c.get("outputs").fieldNames().forEachRemaining(outputs::add);
                out.add(new Object[] {c.get("case").asText(), c.get("file").asText(), outputs});
            }
        }
        assertEquals(4, out.size(), "the four public VAE cases");
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheReference(String name, String file, List<String> outputs) throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> data = VaeFixtures.readCase(file);
            int checked = 0;
            if (data.containsKey("in/vae_latent")) {
                Tensor decoded = vae.decode(data.get("in/vae_latent"));
                checked += check(name, "vae_decoded", decoded, data);
                checked += check(name, "vae_image", AutoencoderKL.toImage(decoded), data);
                Tensor image = vae.decodeToImage(data.get("in/vae_latent"));
                checked += check(name, "vae_image", image, data);
            }
            if (data.containsKey("in/vae_pixels")) {
                AutoencoderKL.Moments m = vae.encodeMoments(data.get("in/vae_pixels"));
                checked += check(name, "vae_enc_mean", m.mean(), data);
                checked += check(name, "vae_enc_logvar", m.logvar(), data);
                checked += check(name, "vae_enc_mean", vae.encode(data.get("in/vae_pixels")), data);
            }
            for (String output : outputs) {
                assertTrue(data.containsKey("out/" + output), output);
            }
            assertTrue(checked >= outputs.size(), "every listed output was compared");
        }
    }

    private static int check(String name, String output, Tensor actual, Map<String, Tensor> data) {
        Tensor ref = data.get("out/" + output);
        if (ref == null) {
            return 0;
        }
        assertArrayEquals(ref.shape(), actual.shape(), name + " " + output + " shape");
        double err = VaeFixtures.maxAbsDiff(actual, ref);
        double tol = VaeFixtures.tolerance(ref);
        System.out.printf("[vae fixture] %-28s %-15s max|a-b| = %.3e  (tolerance %.3e)%n", name, output, err, tol);
        assertTrue(err <= tol, name + " " + output + ": max|a-b| = " + err + " > " + tol);
        return 1;
    }

    @Test
    void timesA64x64EncodeAndDecode() throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> enc = VaeFixtures.readCase("tiny_vae_encode_64x64.safetensors");
            Tensor pixels = enc.get("in/vae_pixels");
            Tensor latent = vae.encode(pixels); // warm-up
            vae.decode(latent);
            int n = 5;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                try (PointerScope it = new PointerScope()) {
                    vae.encode(pixels);
                }
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                try (PointerScope it = new PointerScope()) {
                    vae.decode(latent);
                }
            }
            long t2 = System.nanoTime();
            System.out.printf("[vae timing] tiny 64x64: encode %.1f ms, decode %.1f ms (mean of %d, warm)%n",
                    (t1 - t0) / 1e6 / n, (t2 - t1) / 1e6 / n, n);
        }
    }
}
