package dev.easel.nodes.core.model.files;

import dev.easel.nodes.core.model.StateDict;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Recognises what a model file is from its key names (and a few shapes), without loading a model: SD1.x, SD2.x,
 * SDXL base and refiner checkpoints (full files or bare diffusion models), ControlNets, LoRAs and bare VAEs, with the
 * key prefix of each component found.
 *
 * <p>Not decided here: SD2.x v-prediction versus eps (the keys are the same; that needs the file's config or a
 * heuristic later). Shapes are used only where names are ambiguous (a bare SD1/SD2 UNet, SDXL base vs refiner without
 * text encoders, the number of input channels), and never absolute sizes that the tiny test models do not share.
 */
public final class ModelDetector {

    private static final String LDM_UNET = "model.diffusion_model.";
    private static final String LDM_VAE = "first_stage_model.";

    private ModelDetector() {
    }

    /** Detects the model in {@code weights}. */
    public static DetectedModel detect(StateDict weights) {
        return detect(weights.source(), weights.keys(), key -> {
            try (PointerScope scope = new PointerScope()) {
                Tensor t = weights.get(key);
                return t.sizes().vec().get();
            }
        });
    }

    /**
     * Detects the model from its keys.
     *
     * @param source the file, for error messages
     * @param keys every key of the state dict
     * @param shape the shape of a key's tensor (called for a few keys only)
     * @throws UnsupportedModelException when the keys match no supported layout
     */
    public static DetectedModel detect(String source, Set<String> keys, Function<String, long[]> shape) {
        if (keys.isEmpty()) {
            throw new UnsupportedModelException(source, "the file holds no weights");
        }
        DetectedModel lora = lora(keys);
        if (lora != null) {
            return lora;
        }
        DetectedModel controlnet = controlnet(keys);
        if (controlnet != null) {
            return controlnet;
        }
        String unet = keys.stream().anyMatch(k -> k.startsWith(LDM_UNET)) ? LDM_UNET
                : keys.contains("input_blocks.0.0.weight") && keys.contains("out.2.weight") ? "" : null;
        if (unet != null) {
            return diffusionModel(source, keys, shape, unet);
        }
        DetectedModel vae = vae(keys);
        if (vae != null) {
            return vae;
        }
        throw unknown(source, keys);
    }

    private static DetectedModel diffusionModel(String source, Set<String> keys, Function<String, long[]> shape,
            String unet) {
        Map<ModelComponent, String> parts = new EnumMap<>(ModelComponent.class);
        parts.put(ModelComponent.UNET, unet);
        if (keys.contains(LDM_VAE + "encoder.conv_in.weight") || keys.contains(LDM_VAE + "decoder.conv_in.weight")) {
            parts.put(ModelComponent.VAE, LDM_VAE);
        }
        String variant = inputVariant(keys, shape, unet);
        boolean labelEmb = keys.contains(unet + "label_emb.0.0.weight");
        boolean sdxlEmbedders = has(keys, k -> k.startsWith("conditioner.embedders."));
        boolean clipL = has(keys, k -> k.startsWith("cond_stage_model.transformer."));
        boolean openClip = has(keys, k -> k.startsWith("cond_stage_model.model."));

        if (sdxlEmbedders || (labelEmb && !clipL && !openClip)) {
            boolean te0Clip = has(keys, k -> k.startsWith("conditioner.embedders.0.transformer."));
            boolean te0OpenClip = has(keys, k -> k.startsWith("conditioner.embedders.0.model."));
            boolean te1OpenClip = has(keys, k -> k.startsWith("conditioner.embedders.1.model."));
            boolean refiner;
            if (sdxlEmbedders) {
                refiner = te0OpenClip && !te0Clip && !te1OpenClip;
            } else {
                long[] adm = shapeOf(shape, unet + "label_emb.0.0.weight");
                refiner = adm != null && adm.length == 2 && adm[1] == 2560; // base: 2816
            }
            if (refiner) {
                if (te0OpenClip) {
                    parts.put(ModelComponent.TEXT_ENCODER_2, "conditioner.embedders.0.model.");
                }
                return new DetectedModel(ModelFamily.SDXL_REFINER, parts, variant);
            }
            if (te0Clip) {
                parts.put(ModelComponent.TEXT_ENCODER, "conditioner.embedders.0.transformer.");
            }
            if (te1OpenClip) {
                parts.put(ModelComponent.TEXT_ENCODER_2, "conditioner.embedders.1.model.");
            }
            return new DetectedModel(ModelFamily.SDXL, parts, variant);
        }
        if (openClip) {
            parts.put(ModelComponent.TEXT_ENCODER, "cond_stage_model.model.");
            return new DetectedModel(ModelFamily.SD2, parts, join(labelEmb ? "unCLIP" : "", variant));
        }
        if (clipL) {
            parts.put(ModelComponent.TEXT_ENCODER, "cond_stage_model.transformer.");
            return new DetectedModel(ModelFamily.SD1, parts, variant);
        }
        // No text encoder: SD1 UNets project into their transformers with 1x1 convolutions, SD2 with linear layers.
        String projIn = keys.stream()
                .filter(k -> k.startsWith(unet + "input_blocks.") && k.endsWith(".proj_in.weight"))
                .sorted().findFirst().orElse(null);
        long[] projShape = projIn == null ? null : shapeOf(shape, projIn);
        if (projShape != null && projShape.length == 4) {
            return new DetectedModel(ModelFamily.SD1, parts, variant);
        }
        if (projShape != null && projShape.length == 2) {
            return new DetectedModel(ModelFamily.SD2, parts, variant);
        }
        throw new UnsupportedModelException(source, "a diffusion model (" + (unet.isEmpty() ? "bare UNet" : unet + "*")
                + ") whose version cannot be told: no text encoder and no transformer proj_in weight; "
                + "recognised are SD1.x, SD2.x and SDXL");
    }

    private static String inputVariant(Set<String> keys, Function<String, long[]> shape, String unet) {
        long[] in = keys.contains(unet + "input_blocks.0.0.weight") ? shapeOf(shape, unet + "input_blocks.0.0.weight")
                : null;
        if (in == null || in.length != 4) {
            return "";
        }
        if (in[1] == 9) {
            return "inpainting";
        }
        if (in[1] == 8) {
            return "instruct-pix2pix";
        }
        return in[1] == 4 ? "" : in[1] + " input channels";
    }

    private static DetectedModel lora(Set<String> keys) {
        boolean kohya = has(keys, k -> k.startsWith("lora_unet_") || k.startsWith("lora_te_")
                || k.startsWith("lora_te1_") || k.startsWith("lora_te2_") || k.startsWith("lora_prior_unet_"));
        boolean peft = has(keys, k -> k.contains(".lora_A.") || k.contains(".lora_B."));
        boolean other = has(keys, k -> k.contains(".lora_down.") || k.contains(".lora_up.") || k.contains(".lora.down.")
                || k.contains(".lora.up.") || k.contains(".hada_w1_a") || k.contains(".lokr_w1"));
        if (!kohya && !peft && !other) {
            return null;
        }
        Map<ModelComponent, String> parts = new EnumMap<>(ModelComponent.class);
        if (has(keys, k -> k.startsWith("lora_unet_") || k.startsWith("lora_prior_unet_") || k.startsWith("unet.")
                || k.startsWith("diffusion_model.") || k.startsWith(LDM_UNET))) {
            parts.put(ModelComponent.LORA_UNET, "");
        }
        if (has(keys, k -> k.startsWith("lora_te") || k.startsWith("text_encoder") || k.startsWith("te_")
                || k.startsWith("te1_") || k.startsWith("te2_") || k.startsWith("cond_stage_model."))) {
            parts.put(ModelComponent.LORA_TEXT_ENCODER, "");
        }
        return new DetectedModel(ModelFamily.LORA, parts, kohya ? "kohya" : peft ? "peft" : "");
    }

    private static DetectedModel controlnet(Set<String> keys) {
        Map<ModelComponent, String> parts = new EnumMap<>(ModelComponent.class);
        if (keys.contains("control_model.input_hint_block.0.weight") || has(keys, k -> k.startsWith("control_model."))) {
            parts.put(ModelComponent.CONTROLNET, "control_model.");
            return new DetectedModel(ModelFamily.CONTROLNET, parts, "");
        }
        if (keys.contains("input_hint_block.0.weight") && has(keys, k -> k.startsWith("zero_convs."))) {
            parts.put(ModelComponent.CONTROLNET, "");
            return new DetectedModel(ModelFamily.CONTROLNET, parts, "");
        }
        if (keys.contains("controlnet_cond_embedding.conv_in.weight")) {
            parts.put(ModelComponent.CONTROLNET, "");
            return new DetectedModel(ModelFamily.CONTROLNET, parts, "diffusers layout");
        }
        return null;
    }

    private static DetectedModel vae(Set<String> keys) {
        for (String prefix : new String[] {"", LDM_VAE, "vae."}) {
            if (keys.contains(prefix + "encoder.conv_in.weight") || keys.contains(prefix + "decoder.conv_in.weight")) {
                Map<ModelComponent, String> parts = new EnumMap<>(ModelComponent.class);
                parts.put(ModelComponent.VAE, prefix);
                boolean diffusers = keys.contains(prefix + "decoder.up_blocks.0.resnets.0.conv1.weight")
                        || keys.contains(prefix + "encoder.down_blocks.0.resnets.0.conv1.weight");
                boolean encoder = keys.contains(prefix + "encoder.conv_in.weight");
                boolean decoder = keys.contains(prefix + "decoder.conv_in.weight");
                String variant = join(diffusers ? "diffusers layout" : "",
                        encoder && decoder ? "" : encoder ? "encoder only" : "decoder only");
                return new DetectedModel(ModelFamily.VAE, parts, variant);
            }
        }
        return null;
    }

    private static UnsupportedModelException unknown(String source, Set<String> keys) {
        String sample = keys.stream().sorted().limit(5).collect(Collectors.joining(", "));
        return new UnsupportedModelException(source, "unrecognised model architecture (" + keys.size()
                + " weights, for example " + sample + "); recognised are SD1.x, SD2.x and SDXL checkpoints or"
                + " diffusion models, ControlNets, LoRAs and VAEs");
    }

    private static long[] shapeOf(Function<String, long[]> shape, String key) {
        try {
            return shape.apply(key);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean has(Set<String> keys, Predicate<String> test) {
        for (String k : keys) {
            if (test.test(k)) {
                return true;
            }
        }
        return false;
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + ", " + b;
    }
}
