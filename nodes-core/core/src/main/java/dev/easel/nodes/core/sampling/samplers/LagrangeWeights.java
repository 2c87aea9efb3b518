package dev.easel.nodes.core.sampling.samplers;

/**
 * Weights of interpolatory quadrature rules: given nodes x_0…x_{n−1} and the moments c_p = ∫ x^p dμ (p &lt; n) of some
 * measure μ, the weights w_j = ∫ ℓ_j dμ of the Lagrange basis polynomials ℓ_j(x) = Π_{k≠j} (x − x_k)/(x_j − x_k).
 * Equivalently, the solution of the transposed Vandermonde system Σ_j x_j^p·w_j = c_p, which is how multistep solvers
 * (UniPC's R·ρ = b, SA-Solver's Adams coefficients) state their order conditions. Plain doubles, n is at most 4.
 */
final class LagrangeWeights {

    private LagrangeWeights() {
    }

    /**
     * @param nodes distinct interpolation nodes x_j
     * @param moments c_p = ∫ x^p dμ for p = 0…n−1
     * @return w_j = Σ_p [x^p]ℓ_j · c_p
     */
    static double[] solve(double[] nodes, double[] moments) {
        int n = nodes.length;
        if (moments.length != n) {
            throw new IllegalArgumentException("need one moment per node");
        }
        double[] w = new double[n];
        for (int j = 0; j < n; j++) {
            // coefficients of ℓ_j, built by multiplying in one factor (x − x_k)/(x_j − x_k) at a time
            double[] poly = new double[n];
            poly[0] = 1.0;
            int degree = 0;
            for (int k = 0; k < n; k++) {
                if (k == j) {
                    continue;
                }
                double denom = nodes[j] - nodes[k];
                double[] next = new double[n];
                for (int p = 0; p <= degree; p++) {
                    next[p + 1] += poly[p] / denom;
                    next[p] -= poly[p] * nodes[k] / denom;
                }
                poly = next;
                degree++;
            }
            double sum = 0.0;
            for (int p = 0; p < n; p++) {
                sum += poly[p] * moments[p];
            }
            w[j] = sum;
        }
        return w;
    }
}
