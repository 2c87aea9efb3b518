package dev.easel.nodes.core.sampling.samplers;

import dev.easel.nodes.core.unet.DiscreteSchedule;

/**
 * The coefficients of SA-Solver (Xue et al. 2023, "SA-Solver: Stochastic Adams Solver for Fast Sampling of Diffusion
 * Models", the stochastic Adams predictor and corrector) in data prediction, for the σ-parametrised
 * (variance-exploding, α = 1) SDE with λ = −ln σ.
 *
 * <p>A step s → t integrates the Lagrange interpolant of the data predictions D_j at nodes λ_j against the kernel
 * (1+τ²)·e^{(1+τ²)(λ − λ_t)} on [λ_s, λ_t]:
 * <pre>
 *   x_t = (σ_t/σ_s)·e^{−τ²h}·x_s + Σ_j b_j·D_j + σ_t·√(1 − e^{−2τ²h})·ξ,   h = λ_t − λ_s,
 *   b_j = ∫_{λ_s}^{λ_t} (1+τ²)·e^{(1+τ²)(λ − λ_t)}·ℓ_j(λ) dλ.
 * </pre>
 * With u = λ − λ_t the moments of that kernel on [−h, 0] have the closed form (integration by parts)
 * M_0 = 1 − e^{−(1+τ²)h}, M_p = −(−h)^p·e^{−(1+τ²)h} − p/(1+τ²)·M_{p−1}, and b_j are the Lagrange quadrature
 * weights for the shifted nodes u_j = λ_j − λ_t ({@link LagrangeWeights}).
 */
final class StochasticAdams {

    private StochasticAdams() {
    }

    /**
     * The b_j of one predictor or corrector step.
     *
     * @param nodes λ_j of the data predictions used, oldest first
     * @param lambdaS λ at the start of the step
     * @param lambdaT λ at its end
     * @param tau the stochasticity τ of this step
     */
    static double[] coefficients(double[] nodes, double lambdaS, double lambdaT, double tau) {
        int n = nodes.length;
        double k = 1.0 + tau * tau;
        double h = lambdaT - lambdaS;
        double decay = Math.exp(-k * h);
        double[] moments = new double[n];
        double[] shifted = new double[n];
        double power = 1.0; // (−h)^p
        for (int p = 0; p < n; p++) {
            moments[p] = p == 0 ? -Math.expm1(-k * h) : -power * decay - p / k * moments[p - 1];
            power *= -h;
            shifted[p] = nodes[p] - lambdaT;
        }
        return LagrangeWeights.solve(shifted, moments);
    }

    /**
     * The reference's default τ(σ): 1 (the SDE) for σ in (σ(80% of the schedule), σ(20% of the schedule)], else 0
     * (the ODE). The percentages are of the SD discrete schedule's timesteps (ComfyUI's {@code percent_to_sigma}).
     */
    static double tau(double sigma) {
        return Interval.START >= sigma && sigma > Interval.END ? 1.0 : 0.0;
    }

    /** σ of the tau interval, computed once. */
    private static final class Interval {
        static final double START = percentToSigma(0.2);
        static final double END = percentToSigma(0.8);

        private static double percentToSigma(double percent) {
            DiscreteSchedule schedule = DiscreteSchedule.sd1();
            return schedule.sigma((1.0 - percent) * (schedule.size() - 1));
        }
    }
}
