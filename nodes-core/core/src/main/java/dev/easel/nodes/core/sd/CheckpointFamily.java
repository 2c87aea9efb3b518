package dev.easel.nodes.core.sd;

import dev.easel.nodes.core.clip.ClipTextModel;
import dev.easel.nodes.core.clip.ClipTower;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.model.files.DetectedModel;
import dev.easel.nodes.core.model.files.ModelComponent;
import dev.easel.nodes.core.model.files.ModelFamily;
import dev.easel.nodes.core.model.files.UnsupportedModelException;
import dev.easel.nodes.core.unet.Parameterization;
import dev.easel.nodes.core.unet.UNetConfig;
import dev.easel.nodes.core.unet.UNetModel;
import dev.easel.nodes.core.vae.LatentFormat;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * What differs between the checkpoint families beyond their tensors' shapes, as in ComfyUI's supported-model table:
 * attention heads, text towers, parameterization, latent format and the adm input.
 */
final class CheckpointFamily {

    /**
     * The norm bias ComfyUI inspects to tell SD2.x v-prediction from ε-prediction: a population std above
     * {@value #V_PREDICTION_STD} means v (the keys of the two variants are the same).
     */
    private static final String V_PREDICTION_PROBE = "output_blocks.11.1.transformer_blocks.0.norm1.bias";
    private static final double V_PREDICTION_STD = 0.09;
    /** Head width of the SD2.x and SDXL transformers. */
    private static final int HEAD_WIDTH = 64;

    private CheckpointFamily() {
    }

    static boolean isCheckpoint(ModelFamily family) {
        return family == ModelFamily.SD1 || family == ModelFamily.SD2 || family == ModelFamily.SDXL
                || family == ModelFamily.SDXL_REFINER;
    }

    /**
     * Attention heads, which the weights do not determine. SD1.x: 8 heads. SD2.x and SDXL: 64-wide heads; a model
     * whose base width is not a multiple of 64 exists only as a scaled-down test model, for which the reference's
     * test constants apply (SD2.x 16-wide heads, SDXL 8-wide), as for {@link ClipTextModel#detectHeads}.
     */
    static UNetConfig.Heads heads(ModelFamily family, StateDict unet) {
        if (family == ModelFamily.SD1) {
            return UNetConfig.Heads.count(8);
        }
        long modelChannels = unet.get("input_blocks.0.0.weight").size(0);
        if (modelChannels % HEAD_WIDTH == 0) {
            return UNetConfig.Heads.width(HEAD_WIDTH);
        }
        return UNetConfig.Heads.width(family == ModelFamily.SD2 ? 16 : 8);
    }

    /** The text encoders of the checkpoint, in tower order; each owns its weights. */
    static List<ClipTextModel> loadTextEncoders(ModelFamily family, DetectedModel detected, StateDict all) {
        List<ClipTextModel> out = new ArrayList<>();
        try {
            switch (family) {
                case SD1 -> out.add(hfClip(all, detected.prefix(ModelComponent.TEXT_ENCODER)));
                case SD2 -> out.add(ClipTextModel.loadOpenClip(all.withPrefix(
                        detected.prefix(ModelComponent.TEXT_ENCODER))));
                case SDXL -> {
                    out.add(hfClip(all, require(detected, ModelComponent.TEXT_ENCODER, all)));
                    out.add(ClipTextModel.loadOpenClip(all.withPrefix(
                            require(detected, ModelComponent.TEXT_ENCODER_2, all))));
                }
                case SDXL_REFINER -> out.add(ClipTextModel.loadOpenClip(all.withPrefix(
                        require(detected, ModelComponent.TEXT_ENCODER_2, all))));
                default -> throw new IllegalArgumentException(family + " is not a checkpoint family");
            }
            return out;
        } catch (RuntimeException e) {
            out.forEach(ClipTextModel::release);
            throw e;
        }
    }

    private static String require(DetectedModel detected, ModelComponent component, StateDict all) {
        String prefix = detected.prefix(component);
        if (prefix == null) {
            throw new UnsupportedModelException(all.source(), detected.family().displayName()
                    + " checkpoint without its " + (component == ModelComponent.TEXT_ENCODER ? "CLIP-L" : "OpenCLIP")
                    + " text encoder");
        }
        return prefix;
    }

    /** A transformers-layout CLIP under {@code prefix + "text_model."}; the model takes over the sub-dict. */
    private static ClipTextModel hfClip(StateDict all, String prefix) {
        StateDict weights = all.withPrefix(prefix + "text_model.");
        try {
            return ClipTextModel.load(weights);
        } catch (RuntimeException e) {
            weights.release();
            throw e;
        }
    }

    /**
     * The CLIP value's towers over {@code encoders} (from {@link #loadTextEncoders}), each with the checkpoint prefix
     * of its weights (CLIP-L's includes {@code text_model.}, as its dict's names start after it).
     */
    static List<ClipTower> towers(ModelFamily family, DetectedModel detected, List<ClipTextModel> encoders) {
        String text = detected.prefix(ModelComponent.TEXT_ENCODER);
        String text2 = detected.prefix(ModelComponent.TEXT_ENCODER_2);
        return switch (family) {
            case SD1 -> List.of(ClipTower.sd1(encoders.get(0))); // under ClipTower.SD1_PREFIX
            case SD2 -> List.of(ClipTower.sd2(encoders.get(0), text));
            case SDXL -> List.of(ClipTower.sdxlL(encoders.get(0), text + "text_model."),
                    ClipTower.sdxlG(encoders.get(1), text2));
            case SDXL_REFINER -> List.of(ClipTower.sdxlG(encoders.get(0), text2));
            default -> throw new IllegalArgumentException(family + " is not a checkpoint family");
        };
    }

    static AdmEncoder adm(ModelFamily family) {
        return switch (family) {
            case SDXL -> AdmEncoder.SDXL;
            case SDXL_REFINER -> AdmEncoder.SDXL_REFINER;
            default -> null;
        };
    }

    /** The UNet's {@code y} width must be what the adm encoder makes from the last tower's pooled output. */
    static void requireAdmFits(String file, UNetModel unet, AdmEncoder adm, List<ClipTextModel> encoders) {
        Integer admIn = unet.config().admInChannels();
        if (adm == null) {
            return;
        }
        ClipTextModel pooledTower = encoders.get(encoders.size() - 1);
        int pooled = pooledTower.projectsPooled()
                ? (int) pooledTower.weights().get(dev.easel.nodes.core.clip.OpenClipLayout.TEXT_PROJECTION).size(1)
                : pooledTower.config().width();
        if (admIn == null || admIn != adm.width(pooled)) {
            throw new IllegalArgumentException(file + ": the UNet's label_emb takes " + admIn + " values, but the "
                    + "pooled text embedding (" + pooled + ") and the size embeddings give " + adm.width(pooled));
        }
    }

    static LatentFormat latentFormat(ModelFamily family) {
        return family == ModelFamily.SDXL || family == ModelFamily.SDXL_REFINER ? LatentFormat.SDXL
                : LatentFormat.SD15;
    }

    /** SD2.x 768-v checkpoints predict v; the rest ε (ComfyUI's heuristic, see {@link #V_PREDICTION_PROBE}). */
    static Parameterization parameterization(ModelFamily family, UNetModel unet) {
        if (family != ModelFamily.SD2 || unet.config().inChannels() != 4
                || !unet.weights().has(V_PREDICTION_PROBE)) {
            return Parameterization.EPS;
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor bias = unet.weights().get(V_PREDICTION_PROBE);
            double std = bias.to(org.bytedeco.pytorch.global.torch.ScalarType.Float)
                    .std(false).item().toDouble();
            return std > V_PREDICTION_STD ? Parameterization.V_PREDICTION : Parameterization.EPS;
        }
    }
}
