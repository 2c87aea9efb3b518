package dev.easel.nodes.core.sampling.analytic;

import java.util.Objects;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The exact denoiser of a Gaussian-mixture data distribution: the posterior mean E[x₀ | x = x₀ + σ·ε] when x₀ follows
 * Σ_k w_k·N(μ_k, s²_k·I). It stands in for a network when checking samplers, since its ODE can be solved as
 * accurately as we like (Karras et al. 2022, §2; the fixtures' README gives the formula). Math in float64, result in
 * the dtype of x.
 *
 * <p>Per batch element x_b (flattened to D values): v_k = s²_k + σ², logit_k = ln w_k − (D/2)·ln v_k −
 * ‖x_b − μ_k‖²/(2·v_k), r = softmax(logit), D(x, σ) = Σ_k r_k·(s²_k·x_b + σ²·μ_k)/v_k.
 *
 * <p>Holds its parameters as float64 copies; {@link #close()} frees them.
 */
public final class GaussianMixtureDenoiser implements AutoCloseable {

    private final Tensor means;
    private final Tensor variances;
    private final Tensor logWeights;

    /**
     * @param means μ_k, shape [K, …] (each mean has the shape of one latent)
     * @param variances s²_k, shape [K]
     * @param logWeights ln w_k, shape [K] (need not be normalised)
     */
    public GaussianMixtureDenoiser(Tensor means, Tensor variances, Tensor logWeights) {
        Objects.requireNonNull(means, "means");
        try (PointerScope scope = new PointerScope()) {
            long k = means.size(0);
            this.means = keep(means.to(ScalarType.Double).reshape(k, -1).contiguous());
            this.variances = keep(variances.to(ScalarType.Double).reshape(k).contiguous());
            this.logWeights = keep(logWeights.to(ScalarType.Double).reshape(k).contiguous());
        }
    }

    private static Tensor keep(Tensor t) {
        t.retainReference();
        return t;
    }

    /** D(x, σ) for x of shape [B, …] with B·D values; the result has x's shape and dtype, in the caller's scope. */
    public Tensor denoise(Tensor x, double sigma) {
        PointerScope caller = PointerScope.getInnerScope();
        try (PointerScope scope = new PointerScope()) {
            long batch = x.size(0);
            Tensor flat = x.to(ScalarType.Double).reshape(batch, 1, -1);   // [B, 1, D]
            double dims = flat.size(2);
            double s2 = sigma * sigma;
            Tensor v = variances.add(new Scalar(s2));                      // [K]
            Tensor sq = flat.sub(means.unsqueeze(0)).square().sum(new long[] {2}, false, new ScalarTypeOptional()); // [B, K]
            Tensor logits = logWeights.sub(v.log().mul(new Scalar(dims / 2))).unsqueeze(0)
                    .sub(sq.div(v.mul(new Scalar(2.0)).unsqueeze(0)));
            Tensor r = torch.softmax(logits, 1, new ScalarTypeOptional());    // [B, K]
            // per component: (s²_k·x + σ²·μ_k) / v_k, [B, K, D]
            Tensor perComponent = flat.mul(variances.reshape(1, -1, 1))
                    .add(means.unsqueeze(0).mul(new Scalar(s2)))
                    .div(v.reshape(1, -1, 1));
            Tensor denoised = perComponent.mul(r.unsqueeze(2)).sum(new long[] {1}, false,
                    new ScalarTypeOptional());
            Tensor result = denoised.reshape(x.shape()).to(x.scalar_type());
            if (caller != null) {
                caller.attach(result);
            } else {
                result.retainReference();
            }
            return result;
        }
    }

    @Override
    public void close() {
        means.releaseReference();
        variances.releaseReference();
        logWeights.releaseReference();
    }
}
