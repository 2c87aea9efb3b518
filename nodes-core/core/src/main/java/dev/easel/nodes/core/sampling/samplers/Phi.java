package dev.easel.nodes.core.sampling.samplers;

/**
 * The φ-functions of exponential integrators (Hochbruck &amp; Ostermann 2010, "Exponential integrators"):
 * φ₀(h) = e^h, φ_{k+1}(h) = (φ_k(h) − 1/k!)/h, so φ₁(h) = (e^h − 1)/h and φ₂(h) = (e^h − 1 − h)/h², with
 * φ_k(0) = 1/k!. The exact solution of dx/dλ = −x + D over a step h in λ = −ln σ with D expanded to first order is
 * written in them (Lu et al. 2022, "DPM-Solver++"). Computed without cancellation: expm1 for φ₁, a Taylor
 * series near 0 for both.
 */
final class Phi {

    /** Below this |h| the Taylor series are exact to double precision (truncation ≈ h⁵/120). */
    private static final double SERIES = 1e-3;

    private Phi() {
    }

    /** φ₁(h) = (e^h − 1)/h = Σ hⁿ/(n+1)!. */
    static double phi1(double h) {
        if (Math.abs(h) < SERIES) {
            return 1 + h / 2 * (1 + h / 3 * (1 + h / 4 * (1 + h / 5)));
        }
        return Math.expm1(h) / h;
    }

    /** φ₂(h) = (e^h − 1 − h)/h² = Σ hⁿ/(n+2)!. */
    static double phi2(double h) {
        if (Math.abs(h) < SERIES) {
            return 0.5 * (1 + h / 3 * (1 + h / 4 * (1 + h / 5 * (1 + h / 6))));
        }
        return (Math.expm1(h) - h) / (h * h);
    }
}
