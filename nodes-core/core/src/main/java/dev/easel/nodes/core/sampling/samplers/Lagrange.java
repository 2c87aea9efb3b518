package dev.easel.nodes.core.sampling.samplers;

/**
 * Lagrange basis polynomials over a few interpolation nodes, and their integrals, for the coefficients of linear
 * multistep methods: if d(τ) is interpolated through (τ_k, d_k), then ∫_a^b d(τ) dτ ≈ Σ_j d_j·∫_a^b ℓ_j(τ) dτ.
 */
final class Lagrange {

    /** 3-point Gauss–Legendre on [−1, 1]: exact for polynomials of degree ≤ 5, so for up to 6 nodes. */
    private static final double[] GL_X = {-Math.sqrt(0.6), 0.0, Math.sqrt(0.6)};
    private static final double[] GL_W = {5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0};

    private Lagrange() {
    }

    /** ℓ_j(τ) = Π_{k≠j} (τ − τ_k)/(τ_j − τ_k). */
    static double basis(double[] nodes, int j, double tau) {
        double product = 1.0;
        for (int k = 0; k < nodes.length; k++) {
            if (k != j) {
                product *= (tau - nodes[k]) / (nodes[j] - nodes[k]);
            }
        }
        return product;
    }

    /** ∫_a^b ℓ_j(τ) dτ, exactly (up to rounding): ℓ_j has degree nodes.length − 1 ≤ 5. */
    static double integral(double[] nodes, int j, double a, double b) {
        if (nodes.length > 2 * GL_X.length) {
            throw new IllegalArgumentException("at most " + 2 * GL_X.length + " nodes, got " + nodes.length);
        }
        double half = 0.5 * (b - a);
        double mid = 0.5 * (a + b);
        double sum = 0.0;
        for (int q = 0; q < GL_X.length; q++) {
            sum += GL_W[q] * basis(nodes, j, mid + half * GL_X[q]);
        }
        return half * sum;
    }
}
