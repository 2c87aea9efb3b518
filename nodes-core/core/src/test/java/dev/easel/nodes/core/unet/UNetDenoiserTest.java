package dev.easel.nodes.core.unet;

import static dev.easel.nodes.core.unet.UnetFixtures.assertClose;
import static dev.easel.nodes.core.unet.UnetFixtures.loadUnet;
import static dev.easel.nodes.core.unet.UnetFixtures.readCase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.model.StateDict;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class UNetDenoiserTest {

    private static final DiscreteSchedule SCHEDULE = DiscreteSchedule.sd1();

    private static float[] floats(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = t.to(ScalarType.Float).contiguous();
            float[] out = new float[(int) c.numel()];
            c.data_ptr_float().get(out);
            return out;
        }
    }

    /** Sigma-table tolerance of the README: abs 1e-6 + rel 1e-5. */
    private static void assertTable(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            double tol = 1e-6 + 1e-5 * Math.abs(expected[i]);
            worst = Math.max(worst, err / tol);
            assertTrue(err <= tol, what + "[" + i + "]: " + actual[i] + " vs " + expected[i]);
        }
        System.out.printf("[unet] %-40s worst error %.4f of the tolerance%n", what, worst);
    }

    @Test
    void scheduleMatchesComfyModelSampling() {
        StateDict ref = readCase("samplers.safetensors");
        try (PointerScope scope = new PointerScope()) {
            assertTable(floats(ref.get("model_sampling/sigmas")), SCHEDULE.sigmas(), "sigmas");
            assertTable(floats(ref.get("model_sampling/log_sigmas")), SCHEDULE.logSigmas(), "log_sigmas");
            assertEquals(ref.get("model_sampling/sigmas").select(0, 0).item().toDouble(), SCHEDULE.sigmaMin(), 0);
            assertEquals(ref.get("model_sampling/sigmas").select(0, 999).item().toDouble(), SCHEDULE.sigmaMax(), 0);
            assertTrue(Math.abs(SCHEDULE.sigmaMin() - 0.029168) < 1e-6 && Math.abs(SCHEDULE.sigmaMax() - 14.614642) < 1e-5);
            // sigma -> t: nearest log-sigma index, exact
            float[] t = floats(SCHEDULE.timestep(ref.get("model_sampling/probe_sigma")));
            assertEquals(java.util.Arrays.toString(floats(ref.get("model_sampling/probe_timestep"))),
                    java.util.Arrays.toString(t));
            // t -> sigma: log-linear interpolation
            assertTable(floats(ref.get("model_sampling/probe_t_sigma")),
                    floats(SCHEDULE.sigma(ref.get("model_sampling/probe_t"))), "t -> sigma probes");
            float[] probeT = floats(ref.get("model_sampling/probe_t"));
            float[] probeSigma = floats(ref.get("model_sampling/probe_t_sigma"));
            assertEquals(probeSigma[0], SCHEDULE.sigma(probeT[0]), 1e-6 + 1e-5 * probeSigma[0]);
        } finally {
            ref.release();
        }
    }

    @Test
    void tinyDenoiserBatch3() {
        UNetModel unet = loadUnet("sd15_tiny_s1234_f16.safetensors", null);
        StateDict c = readCase("components/tiny_denoiser_b3.safetensors");
        try (PointerScope scope = new PointerScope(); InferenceMode guard = new InferenceMode()) {
            UNetDenoiser denoiser = UNetDenoiser.sd1(unet);
            Tensor sigma = c.get("in/den_sigma");
            assertEquals(java.util.Arrays.toString(floats(c.get("out/den_t"))),
                    java.util.Arrays.toString(floats(denoiser.timestep(sigma))), "den_t");
            assertClose(denoiser.cIn(sigma), c.get("out/den_c_in"), "den_c_in");
            Tensor denoised = denoiser.denoise(c.get("in/den_x"), sigma, c.get("in/den_context"));
            assertClose(denoised, c.get("out/den_denoised"), "den_denoised");
        } finally {
            c.release();
            unet.release();
        }
    }

    @Test
    void tinySdxlDenoiserWithAdm() {
        UNetModel unet = loadUnet("sdxl/sdxl_tiny_s2301_f16.safetensors", UNetConfig.Heads.width(8));
        StateDict c = readCase("sdxl/sdxl_denoiser_b2.safetensors");
        try (PointerScope scope = new PointerScope(); InferenceMode guard = new InferenceMode()) {
            UNetDenoiser denoiser = UNetDenoiser.sd1(unet);
            Tensor sigma = c.get("in/den_sigma");
            assertEquals(java.util.Arrays.toString(floats(c.get("out/den_t"))),
                    java.util.Arrays.toString(floats(denoiser.timestep(sigma))), "den_t");
            Tensor denoised = denoiser.denoise(c.get("in/den_x"), sigma, c.get("in/den_context"), c.get("in/den_y"),
                    UNetPatches.NONE);
            assertClose(denoised, c.get("out/den_denoised"), "sdxl den_denoised");
        } finally {
            c.release();
            unet.release();
        }
    }
}
