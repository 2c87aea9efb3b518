package dev.easel.nodes.core.lora;

import dev.easel.nodes.core.clip.ClipTower;
import dev.easel.nodes.core.unet.UNetConfig;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which checkpoint weight each LoRA module name patches, for one model. A module is named the way its file's trainer
 * names it; the names recognised are those ComfyUI's loader knows (its {@code model_lora_keys_unet} and
 * {@code model_lora_keys_clip}), so that a file patches exactly what it patches there:
 *
 * <ul>
 *   <li>UNet, kohya sd-scripts: {@code lora_unet_<diffusers module, '.' → '_'>} and the older
 *       {@code lora_unet_<checkpoint module, '.' → '_'>};</li>
 *   <li>UNet, diffusers: {@code <module>} and {@code unet.<module>} with attention projections spelled
 *       {@code attn1.processor.to_q} and {@code attn1.processor.to_out} (the attention-processor naming). The
 *       PEFT spelling of those projections ({@code unet.…attn1.to_q}) is therefore <em>not</em> recognised, as in the
 *       reference, while PEFT names of every other module are;</li>
 *   <li>UNet, generic: {@code diffusion_model.<checkpoint module>};</li>
 *   <li>text encoders, layer parts {@code self_attn.q_proj|k_proj|v_proj|out_proj} and {@code mlp.fc1|fc2}, by
 *       {@link TextTower tower}: the first tower (SD1.x and SDXL CLIP-L, SD2.x OpenCLIP-H) as
 *       {@code lora_te_text_model_encoder_layers_<i>_<part, '.' → '_'>}, {@code lora_te1_…} and
 *       {@code text_encoder.text_model.encoder.layers.<i>.<part>}; SDXL's bigG after CLIP-L as {@code lora_te2_…}
 *       and {@code text_encoder_2.…}; the SDXL refiner's lone bigG as {@code lora_te_…} and
 *       {@code text_encoder.…}.</li>
 * </ul>
 *
 * The UNet names come from the model's block structure ({@link UNetDiffusersNames}), so SD2.x's and SDXL's layouts
 * (no attention at SDXL's first level, deeper transformers, linear projections) need nothing of their own. Targets
 * are full names: UNet weights under {@link #UNET_PREFIX}, a tower's weights under its {@link TextTower#keyPrefix}
 * followed by the CLIP name it reads ({@code …encoder.layers.0.self_attn.q_proj.weight}, also for OpenCLIP towers,
 * whose q/k/v are views of the fused {@code in_proj_weight}).
 */
public final class LoraKeyMap {

    public static final String UNET_PREFIX = "model.diffusion_model.";
    /** The SD1.x text encoder's prefix ({@link ClipTower#SD1_PREFIX}). */
    public static final String TEXT_PREFIX = ClipTower.SD1_PREFIX;

    /** The text encoder layer parts LoRA trainers adapt: module → kohya spelling. */
    private static final Map<String, String> TEXT_PARTS = Map.of("self_attn.q_proj", "self_attn_q_proj",
            "self_attn.k_proj", "self_attn_k_proj", "self_attn.v_proj", "self_attn_v_proj",
            "self_attn.out_proj", "self_attn_out_proj", "mlp.fc1", "mlp_fc1", "mlp.fc2", "mlp_fc2");

    /**
     * One text encoder of the model.
     *
     * @param name      its key in the CLIP value ({@code "l"}, {@code "g"}, {@code "h"})
     * @param keyPrefix the prefix of its weights' full names ({@link ClipTower#keyPrefix})
     * @param layers    its layer count
     */
    public record TextTower(String name, String keyPrefix, int layers) {
    }

    private final Map<String, String> targets = new HashMap<>();

    private LoraKeyMap() {
    }

    /**
     * The names for an SD1.x model.
     *
     * @param unet       the UNet's configuration (its block structure)
     * @param unetKeys   the UNet's weight keys, without {@code model.diffusion_model.}
     * @param textLayers the text encoder's layer count (0: no text encoder)
     */
    public static LoraKeyMap sd1(UNetConfig unet, Collection<String> unetKeys, int textLayers) {
        return of(unet, unetKeys, textLayers == 0 ? List.of() : List.of(new TextTower("l", TEXT_PREFIX, textLayers)));
    }

    /**
     * The names for a model of any family: its UNet and its text towers, in the CLIP value's order (SDXL: l, g).
     *
     * @param unetKeys the UNet's weight keys, without {@code model.diffusion_model.}
     */
    public static LoraKeyMap of(UNetConfig unet, Collection<String> unetKeys, List<TextTower> towers) {
        LoraKeyMap map = new LoraKeyMap();
        map.addUnet(unet, unetKeys);
        boolean afterClipL = false;
        for (TextTower tower : towers) {
            if (tower.name().equals("g") && afterClipL) {
                map.addTextEncoder(tower, List.of("lora_te2_"), "text_encoder_2.");
            } else if (tower.name().equals("g")) {
                map.addTextEncoder(tower, List.of("lora_te_"), "text_encoder.");
            } else {
                map.addTextEncoder(tower, List.of("lora_te_", "lora_te1_"), "text_encoder.");
            }
            afterClipL |= tower.name().equals("l");
        }
        return map;
    }

    /** The checkpoint key {@code module} patches, if this model has one. */
    public Optional<String> target(String module) {
        return Optional.ofNullable(targets.get(module));
    }

    private void addUnet(UNetConfig config, Collection<String> unetKeys) {
        for (String key : unetKeys) {
            if (key.endsWith(".weight")) {
                String module = key.substring(0, key.length() - ".weight".length());
                targets.put("lora_unet_" + module.replace('.', '_'), UNET_PREFIX + key);
                targets.put("diffusion_model." + module, UNET_PREFIX + key);
            }
        }
        UNetDiffusersNames.of(config).forEach((diffusers, ldm) -> {
            String weight = ldm + ".weight";
            if (!unetKeys.contains(weight)) {
                return; // a part this model does not have (e.g. conv_shortcut where widths match)
            }
            targets.put("lora_unet_" + diffusers.replace('.', '_'), UNET_PREFIX + weight);
            String processor = diffusers.replace(".to_", ".processor.to_");
            if (processor.endsWith(".to_out.0")) {
                processor = processor.substring(0, processor.length() - ".0".length());
            }
            targets.put(processor, UNET_PREFIX + weight);
            targets.put("unet." + processor, UNET_PREFIX + weight);
        });
    }

    private void addTextEncoder(TextTower tower, List<String> kohyaPrefixes, String diffusersPrefix) {
        for (int layer = 0; layer < tower.layers(); layer++) {
            for (Map.Entry<String, String> part : TEXT_PARTS.entrySet()) {
                String target = tower.keyPrefix() + "encoder.layers." + layer + "." + part.getKey() + ".weight";
                String kohya = "text_model_encoder_layers_" + layer + "_" + part.getValue();
                for (String prefix : kohyaPrefixes) {
                    targets.put(prefix + kohya, target);
                }
                targets.put(diffusersPrefix + "text_model.encoder.layers." + layer + "." + part.getKey(), target);
            }
        }
    }
}
