package dev.easel.nodes.core.sampling.nodes;

import dev.easel.runtime.TensorRef;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** SIGMAS values: 1-D float32 tensors, as the reference passes them between nodes. */
final class Sigmas {

    private Sigmas() {
    }

    static TensorRef of(double[] sigmas) {
        float[] values = new float[sigmas.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) sigmas[i];
        }
        return TensorRef.of(values.length == 0 ? Tensor.create(new float[0]).reshape(0) : Tensor.create(values));
    }

    static double[] values(TensorRef sigmas) {
        Tensor t = sigmas.tensor().to(ScalarType.Double).cpu().contiguous().reshape(-1);
        double[] out = new double[(int) t.numel()];
        if (out.length > 0) {
            t.data_ptr_double().get(out);
        }
        return out;
    }
}
