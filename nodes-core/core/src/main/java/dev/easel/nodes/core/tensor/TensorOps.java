package dev.easel.nodes.core.tensor;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Short forms of the libtorch calls the core nodes repeat. Every call allocates native objects, so call these inside
 * a {@link org.bytedeco.javacpp.PointerScope} (the engine opens one around each node).
 */
public final class TensorOps {

    private TensorOps() {
    }

    public static Scalar scalar(double value) {
        return new Scalar(value);
    }

    /** {@code torch.clamp(t, low, high)}. */
    public static Tensor clamp(Tensor t, double low, double high) {
        return t.clamp(new ScalarOptional(scalar(low)), new ScalarOptional(scalar(high)));
    }

    /** {@code value - t}, as Python's {@code value - tensor}. */
    public static Tensor rsub(double value, Tensor t) {
        return torch.rsub(t, scalar(value));
    }

    /**
     * 0..1 floats to bytes the way ComfyUI does before handing pixels to PIL:
     * {@code np.clip(255. * x, 0, 255).astype(np.uint8)}, which truncates rather than rounds.
     */
    public static Tensor toBytes(Tensor unitRange) {
        return clamp(unitRange.mul(scalar(255.0)), 0, 255).to(ScalarType.Byte);
    }
}
