package dev.easel.nodes.core.value;

import dev.easel.runtime.TensorRef;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/** Checks and reads the IMAGE layout: float {@code [batch, height, width, channels]}, channels last. */
public final class Images {

    private Images() {
    }

    /**
     * The tensor of an IMAGE input, after checking its layout.
     *
     * @param inputName named in the error, so the user knows which socket got the wrong value
     * @throws IllegalArgumentException when the tensor is not {@code [B, H, W, C]} with 1 to 4 channels
     */
    public static Tensor require(TensorRef image, String inputName) {
        long[] shape = image.shape();
        if (shape.length != 4 || shape[3] < 1 || shape[3] > 4) {
            throw new IllegalArgumentException("input '" + inputName + "' is not an image [batch, height, width,"
                    + " channels]: its shape is " + Arrays.toString(shape));
        }
        return image.tensor();
    }

    public static long batch(Tensor image) {
        return image.size(0);
    }

    public static long height(Tensor image) {
        return image.size(1);
    }

    public static long width(Tensor image) {
        return image.size(2);
    }

    public static long channels(Tensor image) {
        return image.size(3);
    }
}
