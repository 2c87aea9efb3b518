package dev.easel.trainer.train;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A batch of training examples.
 *
 * @param images float32 {@code [B, 3, 64, 64]} in −1..1 (NCHW), attached to the caller's pointer scope
 * @param captions one caption per image
 */
public record Batch(Tensor images, List<String> captions) {

    public Batch {
        captions = List.copyOf(captions);
        if (images.size(0) != captions.size()) {
            throw new IllegalArgumentException(images.size(0) + " images but " + captions.size() + " captions");
        }
    }
}
