package dev.easel.nodes.core.sd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.testing.ReferenceCase;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import dev.easel.nodes.core.unet.Parameterization;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelSamplingDiscrete: the parameterization override and the zero-terminal-SNR schedule. */
class ModelSamplingDiscreteTest {

    @TempDir
    Path dir;

    @Test
    void overridesWhatTheModelPredictsOnTheSameWeights() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir));
                ReferenceCase c = ReferenceCase.open("sd2/sd2_denoiser_b3.safetensors");
                PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            CheckpointLoading.Parts parts = CheckpointLoading.load(
                    ReferenceCase.fixtures().resolve("sd2/sd2_tiny_s2101_f16.safetensors"), ScalarType.Float);
            runner.own(parts.model());
            runner.own(parts.clip());
            runner.own(parts.vae());
            assertEquals(Parameterization.V_PREDICTION, parts.model().parameterization());
            DiffusionModel eps = runner.own((DiffusionModel) runner.runForValue(new ModelSamplingDiscrete(),
                    Map.of("model", parts.model(), "sampling", "eps", "zsnr", false)));
            assertEquals(Parameterization.EPS, eps.parameterization());
            assertNotEquals(parts.model().contentHash(), eps.contentHash());
            assertTrue(eps.unet() == parts.model().unet(), "the weights are shared");
            // the same network output read as ε: denoised = x − σ·out, with the reference's recorded output
            Tensor x = c.in("den_x");
            Tensor sigma = c.in("den_sigma");
            Tensor expected = x.sub(c.out("den_model_out").mul(sigma.reshape(-1, 1, 1, 1)));
            ReferenceCase.assertClose(eps.denoiser().denoise(x, sigma, c.in("den_context")), expected,
                    "sd2 read as eps", 1e-4);

            DiffusionModel v = runner.own((DiffusionModel) runner.runForValue(new ModelSamplingDiscrete(),
                    Map.of("model", eps, "sampling", "v_prediction", "zsnr", false)));
            c.assertClose(v.denoiser().denoise(x, sigma, c.in("den_context")), "den_denoised");
        }
    }

    @Test
    void zeroTerminalSnrKeepsTheFirstSigmaAndEndsNearFourAndAHalfThousand() {
        DiscreteSchedule plain = DiscreteSchedule.sd1();
        DiscreteSchedule zsnr = plain.withZeroTerminalSnr();
        float[] a = plain.sigmas();
        float[] b = zsnr.sigmas();
        // the first √ᾱ is kept; float32 1 − ᾱ near ᾱ ≈ 1 costs some precision, in the reference too
        assertEquals(a[0], b[0], 1e-4 * a[0], "σ_min unchanged");
        // ᾱ_T = 4.8973451890853435e-08 → σ_T = √((1 − ᾱ)/ᾱ)
        assertEquals(Math.sqrt((1 - 4.8973451890853435e-08) / 4.8973451890853435e-08), b[b.length - 1], 0.5);
        for (int i = 1; i < b.length; i++) {
            assertTrue(b[i] > b[i - 1], "increasing at " + i);
            assertTrue(b[i] >= a[i] * 0.999, "never below the original schedule at " + i);
        }
    }

    @Test
    void samplingWithZsnrStartsFromItsLargerSigmaMax() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope()) {
            CheckpointLoading.Parts parts = CheckpointLoading.load(
                    ReferenceCase.fixtures().resolve("sd2/sd2_tiny_s2101_f16.safetensors"), ScalarType.Float);
            runner.own(parts.model());
            runner.own(parts.clip());
            runner.own(parts.vae());
            DiffusionModel zsnr = runner.own((DiffusionModel) runner.runForValue(new ModelSamplingDiscrete(),
                    Map.of("model", parts.model(), "sampling", "v_prediction", "zsnr", true)));
            assertTrue(zsnr.schedule().sigmaMax() > 4000, "σ_max " + zsnr.schedule().sigmaMax());
            assertEquals(parts.model().schedule().sigmaMin(), zsnr.schedule().sigmaMin(), 1e-6);
            Tensor t = zsnr.schedule().timestep(org.bytedeco.pytorch.Tensor.create(new float[] {4000f}, 1));
            assertEquals(999.0, t.item().toDouble(), 0.0);
        }
    }

    @Test
    void lcmUsesTheDistilledFiftyStepScheduleAndTheConsistencyBoundary() throws Exception {
        DiscreteSchedule base = DiscreteSchedule.sd1();
        DiscreteSchedule lcm = base.distilled(50);
        float[] full = base.sigmas();
        float[] table = lcm.sigmas();
        assertEquals(50, table.length);
        for (int k = 0; k < 50; k++) {
            assertEquals(full[20 * k + 19], table[k], 0.0, "σ of timestep " + (20 * k + 19));
            assertEquals(20 * k + 19, lcm.timestep((double) table[k]), 0.0);
        }
        assertEquals(full[999], lcm.sigmaMax(), 0.0);
        assertEquals(full[19], lcm.sigmaMin(), 0.0);
        assertEquals(table[10], lcm.sigma(219.0), 1e-6 * table[10]);

        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            CheckpointLoading.Parts parts = CheckpointLoading.load(
                    ReferenceCase.fixtures().resolve("sd15_tiny_s1234_f16.safetensors"), ScalarType.Float);
            runner.own(parts.model());
            runner.own(parts.clip());
            runner.own(parts.vae());
            DiffusionModel model = runner.own((DiffusionModel) runner.runForValue(new ModelSamplingDiscrete(),
                    Map.of("model", parts.model(), "sampling", "lcm", "zsnr", false)));
            assertEquals(Parameterization.LCM, model.parameterization());
            org.bytedeco.pytorch.global.torch.manual_seed(8);
            Tensor x = org.bytedeco.pytorch.global.torch.randn(2, 4, 8, 8);
            Tensor context = parts.clip().encode("a red apple").cond().repeat(2, 1, 1);
            double sigma = 3.1;
            Tensor sigmas = Tensor.create(new float[] {(float) sigma, (float) sigma}, 2);
            // by hand: the nearest distilled timestep, ε at it, then c_out·(x − σε) + c_skip·x
            double t = lcm.timestep(sigma);
            assertEquals(19, (int) t % 20);
            Tensor eps = parts.model().unet().forward(x.div(new org.bytedeco.pytorch.Scalar(Math.sqrt(sigma * sigma
                    + 1))), Tensor.create(new float[] {(float) t, (float) t}, 2), context);
            double scaled = 10 * t;
            double cSkip = 0.25 / (scaled * scaled + 0.25);
            double cOut = scaled / Math.sqrt(scaled * scaled + 0.25);
            Tensor expected = x.sub(eps.mul(new org.bytedeco.pytorch.Scalar(sigma)))
                    .mul(new org.bytedeco.pytorch.Scalar(cOut)).add(x.mul(new org.bytedeco.pytorch.Scalar(cSkip)));
            ReferenceCase.assertClose(model.denoiser().denoise(x, sigmas, context), expected, "lcm denoised", 1e-4);
        }
    }
}
