package dev.easel.nodes.core.sampling.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.nodes.core.sampling.NoiseKind;
import dev.easel.nodes.core.sampling.NoiseSource;
import dev.easel.nodes.core.sampling.SamplerFixtures;
import dev.easel.nodes.core.sampling.SamplerInfo;
import dev.easel.nodes.core.sampling.Samplers;
import java.util.Arrays;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class BrownianTreeNoiseTest {


    private static Stream<JsonNode> brownianCases() {
        return DefaultNoiseCase.cases()
                .filter(c -> Samplers.get(c.get("sampler").asText()).noise() == NoiseKind.BROWNIAN);
    }

    /** The SDE default_noise cases (ComfyUI's own torchsde noise with the recorded seed) through the registry. */
    @TestFactory
    Stream<DynamicTest> defaultNoiseCases() {
        return brownianCases().map(c -> DynamicTest.dynamicTest(c.get("key").asText(), () -> {
            SamplerInfo info = Samplers.get(c.get("sampler").asText());
            DefaultNoiseCase.check(c, info.sampler(), info.noise());
        }));
    }

    @Test
    void sameSeedSameNoiseDifferentSeedDifferentNoise() {
        long[] shape = {2, 4, 4, 4};
        BrownianTreeNoise a = new BrownianTreeNoise(42, shape, 0.03, 14.6);
        BrownianTreeNoise b = new BrownianTreeNoise(42, shape, 0.03, 14.6);
        BrownianTreeNoise c = new BrownianTreeNoise(43, shape, 0.03, 14.6);
        float[] na = a.normalized(6.0, 2.2);
        assertArrayEquals(na, b.normalized(6.0, 2.2), 0f);
        assertFalse(Arrays.equals(na, c.normalized(6.0, 2.2)));
        // querying other intervals first changes nothing (the path depends on the seed alone)
        BrownianTreeNoise d = new BrownianTreeNoise(42, shape, 0.03, 14.6);
        d.normalized(0.5, 0.1);
        d.normalized(14.6, 9.0);
        assertArrayEquals(na, d.normalized(6.0, 2.2), 0f);
        // and clearing the cache neither
        d.close();
        assertArrayEquals(na, d.normalized(6.0, 2.2), 0f);
    }

    @Test
    void unsignedSeeds() {
        long[] shape = {1, 4, 4, 4};
        float[] max = new BrownianTreeNoise(-1L, shape, 0.03, 14.6).normalized(3, 1);
        assertArrayEquals(max, new BrownianTreeNoise(-1L, shape, 0.03, 14.6).normalized(3, 1), 0f);
        assertFalse(Arrays.equals(max, new BrownianTreeNoise(Long.MAX_VALUE, shape, 0.03, 14.6).normalized(3, 1)));
        for (float v : max) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void incrementsAreAdditive() {
        BrownianTreeNoise n = new BrownianTreeNoise(7, new long[] {4096}, 0.02, 10.0);
        float[] ac = n.increment(0.5, 7.25);
        float[] ab = n.increment(0.5, 3.1);
        float[] bc = n.increment(3.1, 7.25);
        for (int i = 0; i < ac.length; i++) {
            assertEquals(ac[i], ab[i] + bc[i], 1e-5 * (1 + Math.abs(ac[i])));
        }
        // the whole interval is the root increment
        float[] all = n.increment(0.02, 10.0);
        float[] lo = n.increment(0.02, 1.0);
        float[] hi = n.increment(1.0, 10.0);
        for (int i = 0; i < all.length; i++) {
            assertEquals(all[i], lo[i] + hi[i], 1e-5 * (1 + Math.abs(all[i])));
        }
    }

    @Test
    void incrementsAreGaussianWithVarianceTheLength() {
        int n = 1 << 16;
        BrownianTreeNoise noise = new BrownianTreeNoise(11, new long[] {n}, 0.03, 14.6);
        double[][] intervals = {{0.03, 14.6}, {6.0, 2.2}, {0.5, 0.1}, {9.9, 9.8}, {1.0, 0.99}};
        float[][] normalized = new float[intervals.length][];
        for (int k = 0; k < intervals.length; k++) {
            float[] z = noise.normalized(intervals[k][0], intervals[k][1]);
            normalized[k] = z;
            double mean = 0;
            double sq = 0;
            double fourth = 0;
            for (float v : z) {
                mean += v;
                sq += v * v;
                fourth += (double) v * v * v * v;
            }
            mean /= n;
            double var = sq / n - mean * mean;
            assertEquals(0, mean, 4.5 / Math.sqrt(n), "mean on " + Arrays.toString(intervals[k]));
            assertEquals(1, var, 4.5 * Math.sqrt(2.0 / n), "variance on " + Arrays.toString(intervals[k]));
            assertEquals(3, fourth / n, 0.1, "kurtosis on " + Arrays.toString(intervals[k]));
        }
        // increments over disjoint intervals are uncorrelated
        double corr = 0;
        for (int i = 0; i < n; i++) {
            corr += normalized[1][i] * normalized[2][i];
        }
        assertEquals(0, corr / n, 4.5 / Math.sqrt(n));
        // overlapping ones are correlated by |overlap| / √(|I|·|J|): [2.2, 6] and [2.2, 4]
        float[] a = noise.normalized(6.0, 2.2);
        float[] b = noise.normalized(4.0, 2.2);
        double c = 0;
        for (int i = 0; i < n; i++) {
            c += a[i] * b[i];
        }
        assertEquals(1.8 / Math.sqrt(3.8 * 1.8), c / n, 0.02);
    }

    @Test
    void finerStepsRefineTheSamePath() {
        // one coarse step's increment is the sum of the increments of the fine steps that tile it
        BrownianTreeNoise n = new BrownianTreeNoise(3, new long[] {256}, 0.03, 14.6);
        float[] coarse = n.increment(1.0, 5.0);
        float[] sum = new float[256];
        double[] cuts = {1.0, 1.7, 2.4, 3.3, 5.0};
        for (int k = 0; k < cuts.length - 1; k++) {
            float[] w = n.increment(cuts[k], cuts[k + 1]);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += w[i];
            }
        }
        for (int i = 0; i < sum.length; i++) {
            assertEquals(coarse[i], sum[i], 1e-5 * (1 + Math.abs(coarse[i])));
        }
    }

    @Test
    void forSamplerKinds() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = torch.zeros(2, 4, 4, 4);
            double[] sigmas = {14.6, 3.0, 0.5, 0.03, 0};
            assertNull(NoiseSources.forSampler(NoiseKind.NONE, 1, x, sigmas));
            NoiseSource g = NoiseSources.forSampler(NoiseKind.GAUSSIAN, 4, x, sigmas);
            assertTrue(g instanceof GaussianNoise);
            // seed + 1
            assertArrayEquals(InitialNoiseTest.floats(InitialNoise.of(5, new long[] {2, 4, 4, 4})),
                    InitialNoiseTest.floats(g.next(14.6, 3.0)), 0f);
            NoiseSources.close(g);
            NoiseSource b = NoiseSources.forSampler(NoiseKind.BROWNIAN, 4, x, sigmas);
            float[] expected = new BrownianTreeNoise(4, new long[] {2, 4, 4, 4}, 0.03, 14.6).normalized(3.0, 0.5);
            assertArrayEquals(expected, InitialNoiseTest.floats(b.next(3.0, 0.5)), 0f);
            NoiseSources.close(b);
            NoiseSource bd = NoiseSources.forSampler(NoiseKind.BROWNIAN_DEVICE, 4, x, sigmas);
            assertArrayEquals(expected, InitialNoiseTest.floats(bd.next(3.0, 0.5)), 0f);
            assertNull(NoiseSources.forSampler(NoiseKind.BROWNIAN, 4, x, new double[] {0, 0}));
        }
    }
}
