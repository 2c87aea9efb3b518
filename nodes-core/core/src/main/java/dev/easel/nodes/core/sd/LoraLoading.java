package dev.easel.nodes.core.sd;

import dev.easel.nodes.core.lora.LoraFile;
import dev.easel.nodes.core.lora.LoraKeyMap;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a LoRA file for a MODEL (and a CLIP) and checks that it fits them: every pair the model uses matches its
 * weight's shape, and the file patches something. Errors name the file, the modules and the shapes.
 */
final class LoraLoading {

    private LoraLoading() {
    }

    /**
     * The file's pairs for this model's UNet and (when {@code clip} is not null) text encoder.
     *
     * @throws IllegalArgumentException when the file patches nothing here, or a pair does not fit its weight
     */
    static LoraFile read(Path file, DiffusionModel model, ClipModel clip) throws IOException {
        var unet = model.unet();
        LoraKeyMap keys = LoraKeyMap.sd1(unet.config(), unet.weights().keys(),
                clip == null ? 0 : clip.model().config().layers());
        LoraFile lora = LoraFile.read(file, keys);
        try {
            if (lora.pairs().isEmpty()) {
                List<String> ignored = lora.ignoredKeys();
                throw new IllegalArgumentException(file.getFileName() + " patches nothing in this model: none of its "
                        + ignored.size() + " tensors names a weight of its UNet" + (clip == null ? "" : " or text encoder")
                        + " (for example " + ignored.subList(0, Math.min(3, ignored.size())) + "); it may be a LoRA"
                        + " for another model family");
            }
            for (LoraFile.Pair pair : lora.pairs()) {
                String target = pair.target();
                long[] shape = target.startsWith(LoraKeyMap.UNET_PREFIX)
                        ? unet.weights().get(target.substring(LoraKeyMap.UNET_PREFIX.length())).shape()
                        : clip.model().weights().get(target.substring(LoraKeyMap.TEXT_PREFIX.length())).shape();
                pair.requireFits(shape);
            }
            return lora;
        } catch (RuntimeException e) {
            lora.release();
            throw e;
        }
    }
}
