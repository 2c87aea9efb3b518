package dev.easel.nodes.core.sampling.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.easel.nodes.core.sampling.NoiseKind;
import dev.easel.nodes.core.sampling.SamplerInfo;
import dev.easel.nodes.core.sampling.Samplers;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class GaussianNoiseTest {

    /**
     * The default_noise cases of the samplers with Gaussian noise (euler_ancestral, dpmpp_2s_ancestral, lcm), run
     * through the registry.
     */
    @TestFactory
    Stream<DynamicTest> defaultNoiseCases() {
        return DefaultNoiseCase.cases()
                .filter(c -> Samplers.get(c.get("sampler").asText()).noise() == NoiseKind.GAUSSIAN)
                .map(c -> DynamicTest.dynamicTest(c.get("key").asText(), () -> {
                    SamplerInfo info = Samplers.get(c.get("sampler").asText());
                    DefaultNoiseCase.check(c, info.sampler(), info.noise());
                }));
    }

    @Test
    void sameSeedSameSequenceAndUnsignedSeeds() {
        long[] shape = {1, 4, 4, 4};
        try (PointerScope scope = new PointerScope();
                GaussianNoise a = new GaussianNoise(-1L, shape, null);
                GaussianNoise b = new GaussianNoise(-1L, shape, null);
                GaussianNoise c = new GaussianNoise(5, shape, null)) {
            float[] a1 = InitialNoiseTest.floats(a.next(1, 0.5));
            float[] a2 = InitialNoiseTest.floats(a.next(0.5, 0.2));
            assertArrayEquals(a1, InitialNoiseTest.floats(b.next(3, 2)), 0f);
            assertArrayEquals(a2, InitialNoiseTest.floats(b.next(3, 2)), 0f);
            assertFalse(java.util.Arrays.equals(a1, a2));
            // the first draw of a generator seeded s is InitialNoise.of(s)
            assertArrayEquals(InitialNoiseTest.floats(InitialNoise.of(5, shape)),
                    InitialNoiseTest.floats(c.next(1, 0.5)), 0f);
        }
    }
}
