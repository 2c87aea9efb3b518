package dev.easel.nodes.core.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.nodes.core.sampling.analytic.GaussianMixtureDenoiser;
import dev.easel.nodes.core.sampling.guidance.Guider;
import dev.easel.nodes.core.sampling.noise.InitialNoise;
import dev.easel.nodes.core.sampling.schedule.Schedulers;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import dev.easel.nodes.core.vae.LatentFormat;
import dev.easel.nodes.core.value.Latent;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.placement.Placeable;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * SetLatentNoiseMask + KSampler against the reference ({@code workflows/inpaint_sampler_*}, Gaussian-mixture
 * denoiser, latent already in model space): the denoise mask, the initial noise, the σ schedule, and the trajectory
 * through {@link LatentSampling} with the recorded noise table as the sampler's noise.
 */
class InpaintSamplingTest {

    private static final Path WORKFLOWS = SamplerFixtures.dir().resolve("workflows");
    private static final LatentFormat MODEL_SPACE = new LatentFormat("model-space", 1.0, 4, new double[0]);

    @TestFactory
    Stream<DynamicTest> inpaintCases() throws Exception {
        JsonNode index = new ObjectMapper().readTree(WORKFLOWS.resolve("index.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : index.get("cases")) {
            if (c.get("case").asText().startsWith("inpaint_sampler_")) {
                tests.add(DynamicTest.dynamicTest(c.get("case").asText(), () -> check(c)));
            }
        }
        return tests.stream();
    }

    private static void check(JsonNode c) throws Exception {
        String name = c.get("case").asText();
        SamplerInfo sampler = Samplers.get(c.get("sampler").asText());
        try (PointerScope scope = new PointerScope();
                SafetensorsFile f = SafetensorsFile.open(WORKFLOWS.resolve(c.get("file").asText()));
                GaussianMixtureDenoiser cond = new GaussianMixtureDenoiser(f.load("out/gmm/cond/means"),
                        f.load("out/gmm/cond/s2"), f.load("out/gmm/cond/logw"));
                GaussianMixtureDenoiser uncond = new GaussianMixtureDenoiser(f.load("out/gmm/uncond/means"),
                        f.load("out/gmm/uncond/s2"), f.load("out/gmm/uncond/logw"))) {
            double[] sigmas = Schedulers.forKSampler(c.get("scheduler").asText(), DiscreteSchedule.sd1(),
                    c.get("steps").asInt(), c.get("denoise").asDouble(), sampler.discardPenultimate());
            Tensor refSigmas = f.load("out/sigmas");
            assertEquals(refSigmas.numel(), sigmas.length, name + ": schedule length");
            for (int i = 0; i < sigmas.length; i++) {
                double ref = refSigmas.get(i).item().toDouble();
                assertTrue(Math.abs(sigmas[i] - ref) <= 1e-6 + 1e-5 * Math.abs(ref), name + ": σ[" + i + "]");
            }
            Tensor latentImage = f.load("out/latent_image");
            long seed = c.get("seed").asLong();
            assertEquals(0.0, SamplerFixtures.maxAbsDiff(InitialNoise.of(seed, latentImage.shape()),
                    f.load("out/noise")), name + ": initial noise");
            Tensor mask = f.load("out/noise_mask");
            double maskErr = SamplerFixtures.maxAbsDiff(LatentSampling.denoiseMask(mask, latentImage.shape()),
                    f.load("out/denoise_mask"));
            assertTrue(maskErr <= 1e-6, name + ": denoise mask differs by " + maskErr);

            Guider guider = new MixtureGuider(cond, uncond, c.get("cfg").asDouble());
            Latent latent = Latent.of(TensorRef.of(latentImage), TensorRef.of(mask));
            Tensor table = f.load("out/noise_table");
            int[] n = {0};
            NoiseSource injected = (s, sn) -> table.get(n[0]++).clone();
            Latent out = LatentSampling.sample(guider, sampler, sigmas, latent, Noise.random(seed), null, injected)
                    .output();
            Tensor expected = f.load("out/final");
            double err = SamplerFixtures.maxAbsDiff(out.samples().tensor(), expected);
            assertTrue(err <= SamplerFixtures.tolerance(expected), name + ": final differs by " + err);
            assertTrue(out.noiseMask().isPresent(), "the output keeps the noise mask");
        }
    }

    /** The fixtures' guided Gaussian mixture as a GUIDER in model space. */
    private record MixtureGuider(GaussianMixtureDenoiser cond, GaussianMixtureDenoiser uncond, double cfg)
            implements Guider {

        @Override
        public Denoiser denoiser(boolean needsUncond, SampledLatent latent) {
            return SamplerFixtures.guided(cond, uncond, cfg, needsUncond);
        }

        @Override
        public LatentFormat latentFormat() {
            return MODEL_SPACE;
        }

        @Override
        public DiscreteSchedule schedule() {
            return DiscreteSchedule.sd1();
        }

        @Override
        public List<Placeable> models() {
            return List.of();
        }

        @Override
        public void retain() {
        }

        @Override
        public void release() {
        }

        @Override
        public long nativeBytes() {
            return 0;
        }
    }
}
