package dev.easel.nodes.core.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.sampling.analytic.GaussianMixtureDenoiser;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Model calls (NFE) per sampler for schedules of several lengths ending in 0, counted by {@link SamplerRun}: one per
 * step for single-evaluation methods, two per step (one on the last, σ_next = 0, step) for the second-order ones,
 * heunpp2's three-then-two-then-one, SEEDS-3's three. dpm_adaptive chooses its own steps and is left out. Every step
 * is reported exactly once, in order (dpm_fast reports its own, fewer, steps).
 */
class SamplerCallCountTest {

    private static final Set<String> TWO_PER_STEP = Set.of("heun", "dpm_2", "dpm_2_ancestral", "dpmpp_2s_ancestral",
            "dpmpp_2s_ancestral_cfg_pp", "dpmpp_sde", "dpmpp_sde_gpu", "exp_heun_2_x0", "exp_heun_2_x0_sde", "seeds_2",
            "sa_solver_pece");

    @TestFactory
    Stream<DynamicTest> everySamplerMakesItsNumberOfModelCalls() {
        return Samplers.names().stream().filter(name -> !name.equals("dpm_adaptive"))
                .map(name -> DynamicTest.dynamicTest(name, () -> {
                    for (int steps : new int[] {5, 13}) {
                        assertEquals(expected(name).applyAsInt(steps), calls(Samplers.get(name), steps),
                                name + " with " + steps + " steps");
                    }
                }));
    }

    private static IntUnaryOperator expected(String name) {
        if (TWO_PER_STEP.contains(name)) {
            return n -> 2 * n - 1;
        }
        if (name.equals("heunpp2")) {
            return n -> 3 * n - 3;
        }
        if (name.equals("seeds_3")) {
            return n -> 3 * n - 2;
        }
        return n -> n;
    }

    private static int calls(SamplerInfo info, int steps) {
        try (PointerScope scope = new PointerScope();
                GaussianMixtureDenoiser mixture = new GaussianMixtureDenoiser(torch.randn(2, 4, 4, 4),
                        Tensor.create(new float[] {0.1f, 0.4f}), Tensor.create(new float[] {0f, -0.3f}))) {
            double[] sigmas = new double[steps + 1];
            for (int i = 0; i < steps; i++) {
                sigmas[i] = 14.6 * Math.pow(0.03 / 14.6, i / (double) (steps - 1));
            }
            int[] reported = {0};
            Denoiser d = (x, sigma) -> {
                Tensor den = mixture.denoise(x, sigma);
                return new Prediction(den, den);
            };
            SamplerRun run = new SamplerRun(d, (s, sn) -> torch.randn(2, 4, 4, 4), (step, total, x, den) -> {
                assertEquals(reported[0], step, info.name() + " reports steps in order");
                assertEquals(steps, total);
                reported[0]++;
            });
            boolean ownSteps = info.name().equals("dpm_fast");
            Tensor out = run.sample(info.sampler(), torch.randn(2, 4, 4, 4).mul(
                    new org.bytedeco.pytorch.Scalar(sigmas[0])), sigmas);
            assertTrue(out.isfinite().all().item().toBool(), info.name() + " gives a finite result");
            if (!ownSteps) {
                assertEquals(steps, reported[0], info.name() + " reports every step once");
            }
            return run.modelCalls();
        }
    }
}
