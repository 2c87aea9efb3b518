package dev.easel.nodes.core.sampling.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.nodes.core.sampling.SamplerFixtures;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The σ schedulers against the reference's tables ({@code sigmas/<scheduler>/steps<N>/<variant>/denoise<d>} in the
 * sampler fixtures, tolerance abs 1e-6 + rel 1e-5), the KSampler schedule of every sampler trajectory case, the model
 * schedule's own probes, and bad input.
 */
class SchedulerFixtureTest {

    /** The samplers for which ComfyUI's KSampler computes one step more and drops the penultimate σ. */
    private static final Set<String> DISCARD_PENULTIMATE = Set.of("dpm_2", "dpm_2_ancestral", "uni_pc", "uni_pc_bh2");

    private static SamplerFixtures fixtures;
    private static DiscreteSchedule schedule;

    @BeforeAll
    static void open() {
        fixtures = SamplerFixtures.open();
        schedule = DiscreteSchedule.sd1();
    }

    @AfterAll
    static void close() throws Exception {
        fixtures.close();
    }

    @TestFactory
    Stream<DynamicTest> schedulerTables() {
        return SamplerFixtures.sigmaTables().stream().map(t -> DynamicTest.dynamicTest(t.get("key").asText(), () -> {
            String key = t.get("key").asText();
            double denoise = t.get("denoise").isNull() ? 1.0 : t.get("denoise").asDouble();
            boolean discard = "discard_penultimate".equals(t.get("variant").asText());
            double[] expected = reference(key);
            assertEquals(t.get("len").asInt(), expected.length, key + ": fixture length");
            double[] actual = Schedulers.forKSampler(t.get("scheduler").asText(), schedule, t.get("steps").asInt(),
                    denoise, discard);
            if ("kl_optimal".equals(t.get("scheduler").asText()) && t.get("steps").asInt() == 1 && !discard
                    && denoise == 1.0) {
                // The reference computes i/(n − 1) = 0/0 for a single step and returns [NaN, 0]; we return σ_max.
                assertTrue(Double.isNaN(expected[0]) && expected[1] == 0, key + ": the reference's NaN case changed");
                assertArrayEquals(new double[] {(float) schedule.sigmaMax(), 0}, actual, 1e-5, key);
                return;
            }
            assertClose(key, expected, actual);
        }));
    }

    @TestFactory
    Stream<DynamicTest> trajectoryCaseSchedules() {
        return SamplerFixtures.cases().stream().map(c -> DynamicTest.dynamicTest(c.get("key").asText(), () -> {
            String key = c.get("key").asText();
            double denoise = c.get("denoise").isNull() ? 1.0 : c.get("denoise").asDouble();
            double[] actual = Schedulers.forKSampler(c.get("scheduler").asText(), schedule, c.get("steps").asInt(),
                    denoise, DISCARD_PENULTIMATE.contains(c.get("sampler").asText()));
            assertClose(key + "/sigmas", reference(key + "/sigmas"), actual);
        }));
    }

    @Test
    void modelScheduleMatchesTheReference() {
        float[] sigmas = schedule.sigmas();
        float[] logSigmas = schedule.logSigmas();
        double[] refSigmas = reference("model_sampling/sigmas");
        double[] refLog = reference("model_sampling/log_sigmas");
        for (int i = 0; i < refSigmas.length; i++) {
            assertTrue(close(refSigmas[i], sigmas[i]), "sigma[" + i + "] = " + sigmas[i] + " vs " + refSigmas[i]);
            assertTrue(close(refLog[i], logSigmas[i]), "log sigma[" + i + "]");
        }
        double[] probeSigma = reference("model_sampling/probe_sigma");
        double[] probeTimestep = reference("model_sampling/probe_timestep");
        for (int i = 0; i < probeSigma.length; i++) {
            assertEquals(probeTimestep[i], schedule.timestep(probeSigma[i]), "timestep of σ = " + probeSigma[i]);
        }
        double[] probeT = reference("model_sampling/probe_t");
        double[] probeTSigma = reference("model_sampling/probe_t_sigma");
        for (int i = 0; i < probeT.length; i++) {
            assertTrue(close(probeTSigma[i], schedule.sigma(probeT[i])), "σ at t = " + probeT[i]);
        }
    }

    @Test
    void namesInComfyOrder() {
        assertEquals(List.of("simple", "sgm_uniform", "karras", "exponential", "ddim_uniform", "beta", "normal",
                "linear_quadratic", "kl_optimal"), Schedulers.names());
    }

    @Test
    void unknownSchedulerNamesTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedulers.sigmas("karass", schedule, 10));
        assertTrue(e.getMessage().contains("karass") && e.getMessage().contains("kl_optimal"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Schedulers.sigmas(null, schedule, 10));
        assertThrows(IllegalArgumentException.class, () -> Schedulers.forKSampler("nope", schedule, 10, 1.0, false));
    }

    @Test
    void stepsBelowOneAreRejected() {
        for (String name : Schedulers.names()) {
            assertThrows(IllegalArgumentException.class, () -> Schedulers.sigmas(name, schedule, 0), name);
            assertThrows(IllegalArgumentException.class, () -> Schedulers.sigmas(name, schedule, -3), name);
            assertThrows(IllegalArgumentException.class, () -> Schedulers.forKSampler(name, schedule, 0, 0.5, true),
                    name);
        }
        assertThrows(IllegalArgumentException.class, () -> Schedulers.karras(0, 0.03, 14.6, 7));
        assertThrows(IllegalArgumentException.class, () -> Schedulers.exponential(0, 0.03, 14.6));
        assertThrows(IllegalArgumentException.class, () -> Schedulers.exponential(5, 0, 14.6));
        assertThrows(IllegalArgumentException.class, () -> Schedulers.karras(5, 15, 14.6, 7));
        assertThrows(IllegalArgumentException.class, () -> Schedulers.forKSampler("normal", schedule, 5, Double.NaN,
                false));
    }

    @Test
    void denoiseAtOrBelowZeroIsAnEmptySchedule() {
        assertEquals(0, Schedulers.forKSampler("karras", schedule, 10, 0.0, false).length);
        assertEquals(0, Schedulers.forKSampler("normal", schedule, 10, -1.0, true).length);
    }

    @Test
    void karrasAndExponentialEndpoints() {
        double[] k = Schedulers.karras(4, 0.1, 10, 7);
        assertArrayEquals(new double[] {10, k[1], k[2], (float) 0.1, 0}, k, 1e-6);
        assertTrue(k[0] > k[1] && k[1] > k[2] && k[2] > k[3]);
        double[] e = Schedulers.exponential(3, 0.1, 10);
        assertArrayEquals(new double[] {10, 1, (float) 0.1, 0}, e, 1e-6);
        assertArrayEquals(new double[] {10, 0}, Schedulers.karras(1, 0.1, 10, 7), 0);
    }

    private static double[] reference(String name) {
        try (PointerScope scope = new PointerScope()) {
            return fixtures.doubles(name);
        }
    }

    private static boolean close(double expected, double actual) {
        return Math.abs(actual - expected) <= 1e-6 + 1e-5 * Math.abs(expected);
    }

    private static void assertClose(String key, double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length,
                key + ": length; expected " + Arrays.toString(expected) + ", got " + Arrays.toString(actual));
        for (int i = 0; i < expected.length; i++) {
            if (!close(expected[i], actual[i])) {
                throw new AssertionError(key + ": σ[" + i + "] = " + actual[i] + ", reference " + expected[i]
                        + "; expected " + Arrays.toString(expected) + ", got " + Arrays.toString(actual));
            }
        }
    }
}
