package dev.easel.trainer.train;

import dev.easel.trainer.model.ModelParameters;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * An exponential moving average of the weights (as LDM's {@code LitEma}): after each optimizer step
 * {@code ema ← ema + (1 − d)·(w − ema)} with {@code d = min(decay, (1 + n) / (10 + n))}, so early averages are not
 * dominated by the random initial weights. The EMA weights are the ones exported.
 */
public final class Ema implements AutoCloseable {

    private final ModelParameters shadow;
    private final double decay;

    /** An EMA starting at the current values of {@code params} (copied). */
    public Ema(ModelParameters params, double decay) {
        this.shadow = ModelParameters.copyOf(params.tensors(), false);
        this.decay = decay;
    }

    /** Folds {@code params} in after optimizer update number {@code updates} (0-based). */
    public void update(ModelParameters params, long updates) {
        double d = Math.min(decay, (1.0 + updates) / (10.0 + updates));
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Scalar weight = new Scalar(1.0 - d);
            Map<String, Tensor> current = params.tensors();
            shadow.tensors().forEach((name, e) -> e.lerp_(current.get(name), weight));
        }
    }

    /** The averaged weights (borrowed). */
    public ModelParameters weights() {
        return shadow;
    }

    @Override
    public void close() {
        shadow.close();
    }
}
