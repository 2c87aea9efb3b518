package dev.easel.nodes.core.testing;

import dev.easel.runtime.TensorRef;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Small tensors for tests, built and read through plain Java arrays. */
public final class Tensors {

    private Tensors() {
    }

    /** A float32 tensor of {@code shape} holding {@code values}, owned by {@code runner} until it closes. */
    public static TensorRef of(NodeRunner runner, float[] values, long... shape) {
        try (PointerScope scope = new PointerScope()) {
            return runner.own(TensorRef.of(Tensor.create(values, shape)));
        }
    }

    /** The values of {@code ref} as float32, in row-major order. */
    public static float[] values(TensorRef ref) {
        try (PointerScope scope = new PointerScope()) {
            Tensor t = ref.tensor().to(ScalarType.Float).cpu().contiguous();
            float[] out = new float[(int) t.numel()];
            t.data_ptr_float().get(out);
            return out;
        }
    }
}
