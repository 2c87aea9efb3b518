package dev.easel.nodes.core.sampling;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.nodes.core.sampling.analytic.GaussianMixtureDenoiser;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every sampler trajectory case of the fixtures with injected noise: the final latent, x and the denoised prediction
 * at every reported step, the number of model calls and of noise requests. The σ schedule is the case's own
 * (schedulers are checked by {@code SchedulerFixtureTest}). {@code -Deasel.samplers=a,b} narrows the run.
 */
class SamplerTrajectoryTest {

    @TestFactory
    Stream<DynamicTest> injectedNoiseCases() {
        String only = System.getProperty("easel.samplers", "");
        Set<String> filter = only.isBlank() ? Set.of() : Set.of(only.split(","));
        return SamplerFixtures.cases().stream()
                .filter(c -> "injected".equals(c.path("noise_mode").asText()))
                .filter(c -> filter.isEmpty() || filter.contains(c.get("sampler").asText()))
                .map(c -> DynamicTest.dynamicTest(c.get("key").asText(), () -> check(c)));
    }

    private static void check(JsonNode c) throws Exception {
        String key = c.get("key").asText();
        SamplerInfo info = Samplers.get(c.get("sampler").asText());
        try (PointerScope scope = new PointerScope();
                SamplerFixtures f = SamplerFixtures.open();
                GaussianMixtureDenoiser cond = f.mixture("cond");
                GaussianMixtureDenoiser uncond = f.mixture("uncond")) {
            double[] sigmas = f.doubles(key + "/sigmas");
            Tensor x = startPoint(f, c, sigmas[0]);
            List<Tensor[]> reported = new ArrayList<>();
            List<Integer> steps = new ArrayList<>();
            StepListener listener = (step, total, xs, denoised) -> {
                steps.add(step);
                Tensor[] pair = {xs.clone(), denoised.clone()};
                scope.attach(pair[0]);
                scope.attach(pair[1]);
                reported.add(pair);
            };
            SamplerRun run = new SamplerRun(SamplerFixtures.guided(cond, uncond, c.get("cfg").asDouble(),
                            info.needsUncond()),
                    f.injectedNoise(), listener);
            Tensor result = run.sample(info.sampler(), x, sigmas);

            Tensor finalRef = f.tensor(key + "/final");
            double tol = SamplerFixtures.tolerance(finalRef);
            long[] refSteps = f.longs(key + "/traj_step");
            Tensor trajX = f.tensor(key + "/traj_x");
            Tensor trajD = f.tensor(key + "/traj_denoised");
            List<Runnable> checks = new ArrayList<>();
            double finalDiff = SamplerFixtures.maxAbsDiff(result, finalRef);
            assertTrue(finalDiff <= tol, key + ": final differs by " + finalDiff + " > " + tol);
            assertEquals(Arrays.stream(refSteps).boxed().toList(), steps.stream().map(Integer::longValue).toList(),
                    key + ": reported steps");
            for (int i = 0; i < refSteps.length; i++) {
                int n = i;
                double dx = SamplerFixtures.maxAbsDiff(reported.get(i)[0], trajX.get(i));
                double dd = SamplerFixtures.maxAbsDiff(reported.get(i)[1], trajD.get(i));
                double tx = SamplerFixtures.tolerance(trajX.get(i));
                double td = SamplerFixtures.tolerance(trajD.get(i));
                checks.add(() -> assertTrue(dx <= tx, key + ": x at step " + n + " differs by " + dx));
                checks.add(() -> assertTrue(dd <= td, key + ": denoised at step " + n + " differs by " + dd));
            }
            assertAll(checks.stream().map(r -> r::run));
            assertEquals(c.get("model_calls").asInt(), run.modelCalls(), key + ": model calls");
            assertEquals(c.path("noise_calls").asInt(0), run.noiseCalls(), key + ": noise requests");
        }
    }

    /** x₀ = noise·√(1 + σ₀²) at "max denoise" (σ₀ ≥ σ_max), else noise·σ₀; plus the latent image. */
    static Tensor startPoint(SamplerFixtures f, JsonNode c, double sigma0) {
        Tensor noise = f.tensor("inputs/noise");
        Tensor latent = f.tensor(c.get("latent_image").asText());
        double sigmaMax = DiscreteSchedule.sd1().sigmaMax();
        boolean maxDenoise = sigma0 > sigmaMax || Math.abs(sigma0 - sigmaMax) <= 1e-5 * Math.max(sigma0, sigmaMax);
        double scale = maxDenoise ? Math.sqrt(1.0 + sigma0 * sigma0) : sigma0;
        return noise.mul(new Scalar(scale)).add(latent);
    }
}
