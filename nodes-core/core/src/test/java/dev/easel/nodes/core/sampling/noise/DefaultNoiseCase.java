package dev.easel.nodes.core.sampling.noise;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.nodes.core.sampling.NoiseKind;
import dev.easel.nodes.core.sampling.NoiseSource;
import dev.easel.nodes.core.sampling.Sampler;
import dev.easel.nodes.core.sampling.SamplerFixtures;
import dev.easel.nodes.core.sampling.SamplerRun;
import dev.easel.nodes.core.sampling.StepListener;
import dev.easel.nodes.core.sampling.analytic.GaussianMixtureDenoiser;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Runs a {@code default_noise} fixture case (ComfyUI's own noise with the recorded seed) with the default noise
 * source of {@link NoiseSources} and checks the final latent and every reported x and denoised prediction.
 */
final class DefaultNoiseCase {

    private DefaultNoiseCase() {
    }

    static Stream<JsonNode> cases() {
        return SamplerFixtures.cases().stream().filter(c -> "comfy_default".equals(c.path("noise_mode").asText()));
    }

    /** Runs case {@code c} with {@code sampler} and the default noise of {@code kind}; asserts final and trajectory. */
    static void check(JsonNode c, Sampler sampler, NoiseKind kind) throws Exception {
        String key = c.get("key").asText();
        try (PointerScope scope = new PointerScope();
                SamplerFixtures f = SamplerFixtures.open();
                GaussianMixtureDenoiser cond = f.mixture("cond");
                GaussianMixtureDenoiser uncond = f.mixture("uncond")) {
            double[] sigmas = f.doubles(key + "/sigmas");
            Tensor x = startPoint(f, c, sigmas[0]);
            List<Tensor[]> reported = new ArrayList<>();
            StepListener listener = (step, total, xs, denoised) -> {
                Tensor[] pair = {xs.clone(), denoised.clone()};
                scope.attach(pair[0]);
                scope.attach(pair[1]);
                reported.add(pair);
            };
            NoiseSource noise = NoiseSources.forSampler(kind, c.get("seed").asLong(), x, sigmas);
            Tensor result;
            SamplerRun run;
            try {
                run = new SamplerRun(SamplerFixtures.guided(cond, uncond, c.get("cfg").asDouble(), false), noise,
                        listener);
                result = run.sample(sampler, x, sigmas);
            } finally {
                NoiseSources.close(noise);
            }
            Tensor trajX = f.tensor(key + "/traj_x");
            Tensor trajD = f.tensor(key + "/traj_denoised");
            Tensor finalRef = f.tensor(key + "/final");
            List<Runnable> checks = new ArrayList<>();
            StringBuilder diffs = new StringBuilder();
            assertEquals(trajX.size(0), reported.size(), key + ": reported steps");
            for (int i = 0; i < reported.size(); i++) {
                int n = i;
                double dx = SamplerFixtures.maxAbsDiff(reported.get(i)[0], trajX.get(i));
                double dd = SamplerFixtures.maxAbsDiff(reported.get(i)[1], trajD.get(i));
                double tx = SamplerFixtures.tolerance(trajX.get(i));
                double td = SamplerFixtures.tolerance(trajD.get(i));
                diffs.append(String.format(" %d:%.2e", i, dx));
                checks.add(() -> assertTrue(dx <= tx, key + ": x at step " + n + " differs by " + dx));
                checks.add(() -> assertTrue(dd <= td, key + ": denoised at step " + n + " differs by " + dd));
            }
            double finalDiff = SamplerFixtures.maxAbsDiff(result, finalRef);
            double tol = SamplerFixtures.tolerance(finalRef);
            checks.add(() -> assertTrue(finalDiff <= tol,
                    key + ": final differs by " + finalDiff + " > " + tol + "; x per step:" + diffs));
            assertAll(checks.stream().map(r -> r::run));
            assertEquals(c.get("model_calls").asInt(), run.modelCalls(), key + ": model calls");
        }
    }

    /** x₀ = noise·√(1 + σ₀²) at "max denoise" (σ₀ ≥ σ_max), else noise·σ₀; plus the latent image (fixture README). */
    static Tensor startPoint(SamplerFixtures f, JsonNode c, double sigma0) {
        Tensor noise = f.tensor("inputs/noise");
        Tensor latent = f.tensor(c.get("latent_image").asText());
        double sigmaMax = DiscreteSchedule.sd1().sigmaMax();
        boolean maxDenoise = sigma0 > sigmaMax || Math.abs(sigma0 - sigmaMax) <= 1e-5 * Math.max(sigma0, sigmaMax);
        double scale = maxDenoise ? Math.sqrt(1.0 + sigma0 * sigma0) : sigma0;
        return noise.mul(new Scalar(scale)).add(latent);
    }
}
