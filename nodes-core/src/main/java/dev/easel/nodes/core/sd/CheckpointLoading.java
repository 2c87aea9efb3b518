package dev.easel.nodes.core.sd;

import dev.easel.node.FileFingerprint;
import dev.easel.nodes.core.clip.ClipTextModel;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.model.files.CheckpointReader;
import dev.easel.nodes.core.model.files.DetectedModel;
import dev.easel.nodes.core.model.files.ModelComponent;
import dev.easel.nodes.core.model.files.ModelDetector;
import dev.easel.nodes.core.model.files.ModelFamily;
import dev.easel.nodes.core.model.files.UnsupportedModelException;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import dev.easel.nodes.core.unet.UNetModel;
import dev.easel.nodes.core.vae.AutoencoderKL;
import dev.easel.nodes.core.vae.LatentFormat;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Loads a single-file checkpoint into its three parts. The parts share the file's tensors (no copies beyond the one
 * float32 conversion); each part owns its weights and frees them when its last owner releases it.
 */
public final class CheckpointLoading {

    /** The loaded parts, each with one (creation) owner. */
    public record Parts(DiffusionModel model, ClipModel clip, VaeModel vae) {
    }

    private CheckpointLoading() {
    }

    /**
     * @throws UnsupportedModelException when the file is not SD1.x (SD2.x and SDXL are recognised and named)
     * @throws IOException               when the file cannot be read (the message names the file and key)
     */
    public static Parts load(Path file, ScalarType dtype) throws IOException {
        StateDict all = CheckpointReader.read(file, dtype);
        try {
            DetectedModel detected = ModelDetector.detect(all);
            if (detected.family() != ModelFamily.SD1) {
                throw new UnsupportedModelException(file.getFileName().toString(), detected.family().displayName()
                        + " checkpoints are recognised but not supported yet; Easel runs Stable Diffusion 1.x");
            }
            String identity = FileFingerprint.stamp(file);
            UNetModel unet = loadUnet(all.withPrefix(detected.prefix(ModelComponent.UNET)));
            ClipTextModel clip = ClipTextModel.load(
                    all.withPrefix(detected.prefix(ModelComponent.TEXT_ENCODER) + "text_model."));
            StateDict vaeWeights = all.withPrefix(detected.prefix(ModelComponent.VAE));
            AutoencoderKL vae;
            try {
                vae = AutoencoderKL.of(vaeWeights);
            } finally {
                vaeWeights.release();
            }
            return new Parts(new DiffusionModel(unet, DiscreteSchedule.sd1(), LatentFormat.SD15, identity + "#unet"),
                    ClipModel.sd1(clip, identity + "#clip"), new VaeModel(vae, identity + "#vae"));
        } finally {
            all.release();
        }
    }

    /** A stand-alone VAE file, or the VAE of a checkpoint. */
    public static VaeModel loadVae(Path file, ScalarType dtype) throws IOException {
        StateDict all = CheckpointReader.read(file, dtype);
        try {
            DetectedModel detected = ModelDetector.detect(all);
            if (!detected.has(ModelComponent.VAE)) {
                throw new UnsupportedModelException(file.getFileName().toString(), "holds no VAE ("
                        + detected.family().displayName() + ")");
            }
            StateDict weights = all.withPrefix(detected.prefix(ModelComponent.VAE));
            try {
                return new VaeModel(AutoencoderKL.of(weights), FileFingerprint.stamp(file) + "#vae");
            } finally {
                weights.release();
            }
        } finally {
            all.release();
        }
    }

    private static UNetModel loadUnet(StateDict weights) {
        try {
            return UNetModel.load(weights);
        } finally {
            weights.release();
        }
    }
}
