package dev.easel.nodes.core.sd;

import dev.easel.nodes.core.clip.ClipTower;
import dev.easel.nodes.core.lora.LoraFile;
import dev.easel.nodes.core.lora.LoraKeyMap;
import dev.easel.nodes.core.model.StateDict;
import org.bytedeco.pytorch.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a LoRA file for a MODEL (and a CLIP) of any family and checks that it fits them: every pair the model uses
 * matches its weight's shape, and the file patches something. Errors name the file, the modules and the shapes.
 */
final class LoraLoading {

    /** How many of a file's tensor names an error quotes. */
    private static final int EXAMPLES = 3;

    private LoraLoading() {
    }

    /**
     * The file's pairs for this model's UNet and (when {@code clip} is not null) text towers.
     *
     * @throws IllegalArgumentException when the file patches nothing here, or a pair does not fit its weight
     */
    static LoraFile read(Path file, DiffusionModel model, ClipModel clip) throws IOException {
        var unet = model.unet();
        List<ClipTower> towers = clip == null ? List.of() : clip.towers();
        LoraKeyMap keys = LoraKeyMap.of(unet.config(), unet.weights().keys(), towers.stream()
                .map(t -> new LoraKeyMap.TextTower(t.name(), t.keyPrefix(), t.model().config().layers())).toList());
        LoraFile lora = LoraFile.read(file, keys);
        try {
            if (lora.pairs().isEmpty()) {
                List<String> ignored = lora.ignoredKeys();
                throw new IllegalArgumentException(file.getFileName() + " patches nothing in this model: none of its "
                        + ignored.size() + " tensors names a weight of its UNet" + (clip == null ? "" : " or text encoder")
                        + " (for example " + ignored.subList(0, Math.min(EXAMPLES, ignored.size())) + "); it may be a"
                        + " LoRA for another model family");
            }
            List<String> misfits = new ArrayList<>();
            for (LoraFile.Pair pair : lora.pairs()) {
                try {
                    pair.requireFits(weight(pair.target(), unet.weights(), towers).shape());
                } catch (IllegalArgumentException e) {
                    misfits.add(e.getMessage());
                }
            }
            if (!misfits.isEmpty()) {
                throw new IllegalArgumentException(file.getFileName() + ": " + misfits.get(0)
                        + (misfits.size() == 1 ? "" : " (and " + (misfits.size() - 1) + " more of its "
                        + lora.pairs().size() + " modules do not fit; it may be a LoRA for another model family)"));
            }
            return lora;
        } catch (RuntimeException e) {
            lora.release();
            throw e;
        }
    }

    /** The weight a target names: the UNet's, or the tower's whose key prefix it starts with. */
    private static Tensor weight(String target, StateDict unet, List<ClipTower> towers) {
        if (target.startsWith(LoraKeyMap.UNET_PREFIX)) {
            return unet.get(target.substring(LoraKeyMap.UNET_PREFIX.length()));
        }
        for (ClipTower tower : towers) {
            if (target.startsWith(tower.keyPrefix())) {
                return tower.model().weights().get(target.substring(tower.keyPrefix().length()));
            }
        }
        throw new IllegalStateException("no part of this model holds " + target); // the key map made it from one
    }
}
