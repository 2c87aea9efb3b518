package dev.easel.nodes.core.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.runtime.Torch;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** Native memory per step: what a step makes dies with it unless carried; what is carried over is freed when replaced. */
class SamplerRunTest {

    @Test
    void stepTemporariesAndReplacedStateAreFreedAndTheResultSurvives() {
        Torch.load();
        List<Tensor> temporaries = new ArrayList<>();
        List<Tensor> states = new ArrayList<>();
        Denoiser halve = (x, sigma) -> {
            Tensor d = x.mul(new Scalar(0.5));
            return new Prediction(d, d);
        };
        Sampler sampler = (run, x, sigmas) -> {
            for (int i = 0; i < sigmas.length - 1; i++) {
                try (SamplerRun.Step step = run.step()) {
                    Tensor denoised = run.denoise(x, sigmas[i]);
                    temporaries.add(denoised);
                    Tensor next = x.add(denoised);
                    states.add(next);
                    x = step.carry(x, next);
                }
            }
            return x;
        };
        try (PointerScope caller = new PointerScope()) {
            Tensor start = torch.ones(2, 2);
            Tensor result = new SamplerRun(halve, null, StepListener.NONE)
                    .sample(sampler, start, new double[] {3, 2, 1, 0});
            assertEquals(1.5 * 1.5 * 1.5, result.get(0).get(0).item().toDouble(), 1e-6);
            assertFalse(start.isNull(), "the caller's start tensor is not the sampler's to free");
            for (Tensor t : temporaries) {
                assertTrue(t.isNull(), "a step temporary was freed");
            }
            for (Tensor t : states.subList(0, states.size() - 1)) {
                assertTrue(t.isNull(), "a replaced state was freed");
            }
            assertFalse(result.isNull(), "the result belongs to the caller's scope");
        }
    }

    @Test
    void aRunSamplesOnceAndStepsNeedASampling() {
        Torch.load();
        SamplerRun run = new SamplerRun((x, s) -> new Prediction(x, x), null, StepListener.NONE);
        assertThrows(IllegalStateException.class, run::step);
        assertThrows(IllegalStateException.class, () -> run.noise(1, 0));
        try (PointerScope scope = new PointerScope()) {
            run.sample((r, x, s) -> x, torch.zeros(1), new double[] {1, 0});
            assertThrows(IllegalStateException.class,
                    () -> run.sample((r, x, s) -> x, torch.zeros(1), new double[] {1}));
        }
    }
}
