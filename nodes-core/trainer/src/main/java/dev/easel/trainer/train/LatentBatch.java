package dev.easel.trainer.train;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A batch of UNet training examples: each image's VAE posterior N(mean, std²) over the latent, and its caption. The
 * latent itself is drawn per step by the training from the step's generator, so one posterior serves every epoch.
 *
 * @param mean float32 {@code [B, C, h, w]} posterior means, attached to the caller's pointer scope
 * @param std float32 {@code [B, C, h, w]} posterior standard deviations (from the logvar clamped to −30..20)
 * @param captions one caption per example
 */
public record LatentBatch(Tensor mean, Tensor std, List<String> captions) {

    public LatentBatch {
        captions = List.copyOf(captions);
        if (mean.size(0) != captions.size() || std.size(0) != captions.size()) {
            throw new IllegalArgumentException(mean.size(0) + " means, " + std.size(0) + " stds but "
                    + captions.size() + " captions");
        }
    }
}
