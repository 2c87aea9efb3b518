package dev.easel.nodes.core.sampling.noise;

import dev.easel.nodes.core.sampling.SamplerRun;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Test-only SDE samplers (η = 1, s_noise = 1) to check the Brownian-tree noise against the default_noise fixtures
 * before the real ones exist: DPM-Solver++ SDE, 2M SDE (midpoint) and 3M SDE for an ε-prediction model (α = 1,
 * λ = −ln σ), Lu et al. 2022, "DPM-Solver++: Fast Solver for Guided Sampling of Diffusion Probabilistic Models", and
 * k-diffusion's SDE variants. The intermediate σ of DPM-Solver++ SDE is computed in float32 as the reference does,
 * since it selects where the Brownian path is queried. No per-step scopes: the fixture cases are tiny.
 */
final class SdeReferenceSamplers {

    private SdeReferenceSamplers() {
    }

    private static Tensor lin(double a, Tensor x, double b, Tensor y) {
        return x.mul(new Scalar(a)).add(y.mul(new Scalar(b)));
    }

    private static Tensor plus(Tensor x, double b, Tensor y) {
        return x.add(y.mul(new Scalar(b)));
    }

    /** σ_down, σ_up of an ancestral step with η = 1. */
    private static double[] ancestral(double s, double sn) {
        double up = Math.min(sn, Math.sqrt(sn * sn * (s * s - sn * sn) / (s * s)));
        return new double[] {Math.sqrt(sn * sn - up * up), up};
    }

    /** The midpoint σ of DPM-Solver++ SDE, exp(−(λ_s + h/2)), in float32. */
    static double midSigma(double sigma, double sigmaNext) {
        float ls = -(float) Math.log((float) sigma);
        float lt = -(float) Math.log((float) sigmaNext);
        float h = lt - ls;
        float l1 = ls + 0.5f * h;
        return (float) Math.exp(-l1);
    }

    static Tensor dpmppSde(SamplerRun run, Tensor x, double[] sigmas) {
        for (int i = 0; i < sigmas.length - 1; i++) {
            double s = sigmas[i];
            double sn = sigmas[i + 1];
            Tensor denoised = run.denoise(x, s);
            run.report(i, x, denoised);
            if (sn == 0) {
                x = denoised;
                continue;
            }
            double s1 = midSigma(s, sn);
            double[] a = ancestral(s, s1);
            double e = a[0] / s; // exp(−h′)
            Tensor x2 = lin(e, x, 1 - e, denoised);
            x2 = plus(x2, a[1], run.noise(s, s1));
            Tensor denoised2 = run.denoise(x2, s1);
            a = ancestral(s, sn);
            e = a[0] / s;
            x = lin(e, x, 1 - e, denoised2);
            x = plus(x, a[1], run.noise(s, sn));
        }
        return x;
    }

    static Tensor dpmpp2mSde(SamplerRun run, Tensor x, double[] sigmas) {
        return multistepSde(run, x, sigmas, false);
    }

    static Tensor dpmpp3mSde(SamplerRun run, Tensor x, double[] sigmas) {
        return multistepSde(run, x, sigmas, true);
    }

    private static Tensor multistepSde(SamplerRun run, Tensor x, double[] sigmas, boolean third) {
        Tensor d1 = null;
        Tensor d2 = null;
        double h1 = Double.NaN;
        double h2 = Double.NaN;
        double h = Double.NaN;
        for (int i = 0; i < sigmas.length - 1; i++) {
            double s = sigmas[i];
            double sn = sigmas[i + 1];
            Tensor denoised = run.denoise(x, s);
            run.report(i, x, denoised);
            if (sn == 0) {
                x = denoised;
            } else {
                h = Math.log(s) - Math.log(sn);
                double hEta = 2 * h;
                double oneMinus = -Math.expm1(-hEta);
                x = lin(sn / s * Math.exp(-h), x, oneMinus, denoised);
                if (third && d2 != null) {
                    double r0 = h1 / h;
                    double r1 = h2 / h;
                    Tensor d10 = denoised.sub(d1).div(new Scalar(r0));
                    Tensor d11 = d1.sub(d2).div(new Scalar(r1));
                    Tensor dd1 = plus(d10, r0 / (r0 + r1), d10.sub(d11));
                    Tensor dd2 = d10.sub(d11).div(new Scalar(r0 + r1));
                    double phi2 = Math.expm1(-hEta) / hEta + 1;
                    double phi3 = phi2 / hEta - 0.5;
                    x = plus(plus(x, phi2, dd1), -phi3, dd2);
                } else if (d1 != null) {
                    double r = h1 / h;
                    if (third) {
                        double phi2 = Math.expm1(-hEta) / hEta + 1;
                        x = plus(x, phi2 / r, denoised.sub(d1));
                    } else {
                        x = plus(x, 0.5 * oneMinus / r, denoised.sub(d1));
                    }
                }
                x = plus(x, sn * Math.sqrt(-Math.expm1(-2 * h)), run.noise(s, sn));
            }
            d2 = d1;
            d1 = denoised;
            h2 = h1;
            h1 = h;
        }
        return x;
    }
}
