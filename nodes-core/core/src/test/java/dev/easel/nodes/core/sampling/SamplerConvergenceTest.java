package dev.easel.nodes.core.sampling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.sampling.analytic.GaussianMixtureDenoiser;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The order of every deterministic solver, measured on the exact Gaussian-mixture denoiser (techniques.md §1): solve
 * the probability-flow ODE from σ = 10 to σ = 0.1 on log-uniform schedules of N = 8…64 steps, compare with a
 * 4000-step RK4 solution, and fit the slope of log(error) against log(N). A k-th order method has slope ≈ −k; a
 * multistep method's warm-up steps may hold it to a lower global order, which the expectations below account for.
 * The measured slopes are printed.
 */
class SamplerConvergenceTest {

    private static final double SIGMA_START = 10.0;
    private static final double SIGMA_END = 0.1;
    private static final int[] STEPS = {8, 16, 32, 64};

    /** Expected global order (lower bound of the fitted slope's magnitude, with 0.3 slack). */
    private static final Map<String, Double> ORDERS = new LinkedHashMap<>();

    static {
        ORDERS.put("euler", 1.0);
        ORDERS.put("ddim", 1.0);
        ORDERS.put("heun", 2.0);
        ORDERS.put("heunpp2", 1.0); // weights its corrector by σ_i/σ_0, so it tends to Euler as the steps shrink
        ORDERS.put("dpm_2", 2.0);
        ORDERS.put("lms", 2.0);
        ORDERS.put("dpm_fast", 2.0);
        ORDERS.put("dpmpp_2m", 2.0);
        ORDERS.put("ipndm", 2.0);
        ORDERS.put("ipndm_v", 2.0);
        ORDERS.put("deis", 2.0);
        ORDERS.put("res_multistep", 2.0);
        ORDERS.put("gradient_estimation", 1.0);
        ORDERS.put("exp_heun_2_x0", 2.0);
        ORDERS.put("uni_pc", 2.0);
        ORDERS.put("uni_pc_bh2", 2.0);
    }

    private static GaussianMixtureDenoiser mixture;
    private static Tensor start;
    private static Tensor exact;

    @BeforeAll
    static void referenceSolution() {
        dev.easel.runtime.Torch.load();
        try (PointerScope scope = new PointerScope()) {
            Tensor means = torch.randn(new long[] {3, 4, 4, 4}, new GeneratorOptional(torch.make_generator_cpu(7)),
                    new TensorOptions(ScalarType.Double));
            Tensor s2 = Tensor.create(new double[] {0.05, 0.2, 0.5});
            Tensor logw = Tensor.create(new double[] {0.0, -0.5, -1.0});
            mixture = new GaussianMixtureDenoiser(means, s2, logw);
            start = torch.randn(new long[] {2, 4, 4, 4}, new GeneratorOptional(torch.make_generator_cpu(11)),
                    new TensorOptions(ScalarType.Double)).mul(new Scalar(SIGMA_START));
            exact = rk4(start, 4000);
            start.retainReference();
            exact.retainReference();
        }
    }

    @AfterAll
    static void free() {
        mixture.close();
        start.releaseReference();
        exact.releaseReference();
    }

    /** Classic RK4 in t = ln σ, where the probability-flow ODE reads dx/dt = x − D(x, e^t). */
    private static Tensor rk4(Tensor x0, int n) {
        double t0 = Math.log(SIGMA_START);
        double h = (Math.log(SIGMA_END) - t0) / n;
        Tensor x = x0;
        for (int i = 0; i < n; i++) {
            double t = t0 + i * h;
            Tensor k1 = slope(x, t);
            Tensor k2 = slope(x.add(k1.mul(new Scalar(h / 2))), t + h / 2);
            Tensor k3 = slope(x.add(k2.mul(new Scalar(h / 2))), t + h / 2);
            Tensor k4 = slope(x.add(k3.mul(new Scalar(h))), t + h);
            x = x.add(k1.add(k2.mul(new Scalar(2))).add(k3.mul(new Scalar(2))).add(k4).mul(new Scalar(h / 6)));
        }
        return x;
    }

    private static Tensor slope(Tensor x, double t) {
        return x.sub(mixture.denoise(x, Math.exp(t)));
    }

    @TestFactory
    Stream<DynamicTest> deterministicSolversConvergeAtTheirOrder() {
        return ORDERS.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            double slope = fittedSlope(Samplers.get(e.getKey()));
            System.out.printf("convergence %-20s slope %.2f (expected order >= %.1f)%n", e.getKey(), -slope,
                    e.getValue());
            assertTrue(-slope >= e.getValue() - 0.3, e.getKey() + ": observed order " + (-slope));
        }));
    }

    private static double fittedSlope(SamplerInfo info) {
        double[] logN = new double[STEPS.length];
        double[] logErr = new double[STEPS.length];
        for (int k = 0; k < STEPS.length; k++) {
            try (PointerScope scope = new PointerScope()) {
                int n = STEPS[k];
                double[] sigmas = new double[n + 1];
                for (int i = 0; i <= n; i++) {
                    sigmas[i] = Math.exp(Math.log(SIGMA_START) + (Math.log(SIGMA_END) - Math.log(SIGMA_START)) * i / n);
                }
                Denoiser d = (x, sigma) -> {
                    Tensor den = mixture.denoise(x, sigma);
                    return new Prediction(den, den);
                };
                // res_multistep draws noise even at η = 0 and scales it by σ_up = 0
                Tensor result = new SamplerRun(d, (s, sn) -> torch.zeros_like(start), StepListener.NONE)
                        .sample(info.sampler(), start, sigmas);
                double err = result.sub(exact).abs().max().item().toDouble();
                logN[k] = Math.log(n);
                logErr[k] = Math.log(err);
            }
        }
        return leastSquaresSlope(logN, logErr);
    }

    private static double leastSquaresSlope(double[] x, double[] y) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / x.length;
            my += y[i] / y.length;
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < x.length; i++) {
            num += (x[i] - mx) * (y[i] - my);
            den += (x[i] - mx) * (x[i] - mx);
        }
        return num / den;
    }
}
