package dev.easel.nodes.core.lora;

import dev.easel.nodes.core.unet.UNetConfig;
import java.util.Collection;
import java.util.HashMap;
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
 *   <li>text encoder (SD1.x CLIP-L): {@code lora_te_text_model_encoder_layers_<i>_<self_attn_q_proj|…|mlp_fc2>},
 *       {@code lora_te1_…} (SDXL's name for the same encoder) and
 *       {@code text_encoder.text_model.encoder.layers.<i>.<self_attn.q_proj|…|mlp.fc2>}.</li>
 * </ul>
 *
 * Targets are full checkpoint keys ({@code model.diffusion_model.….weight},
 * {@code cond_stage_model.transformer.text_model.….weight}).
 */
public final class LoraKeyMap {

    public static final String UNET_PREFIX = "model.diffusion_model.";
    public static final String TEXT_PREFIX = "cond_stage_model.transformer.text_model.";

    /** The text encoder layer parts LoRA trainers adapt: module → kohya spelling. */
    private static final Map<String, String> TEXT_PARTS = Map.of("self_attn.q_proj", "self_attn_q_proj",
            "self_attn.k_proj", "self_attn_k_proj", "self_attn.v_proj", "self_attn_v_proj",
            "self_attn.out_proj", "self_attn_out_proj", "mlp.fc1", "mlp_fc1", "mlp.fc2", "mlp_fc2");

    private final Map<String, String> targets = new HashMap<>();

    private LoraKeyMap() {
    }

    /**
     * The names for an SD1.x model.
     *
     * @param unet       the UNet's configuration (its block structure)
     * @param unetKeys   the UNet's weight keys, without {@code model.diffusion_model.}
     * @param textLayers the text encoder's layer count
     */
    public static LoraKeyMap sd1(UNetConfig unet, Collection<String> unetKeys, int textLayers) {
        LoraKeyMap map = new LoraKeyMap();
        map.addUnet(unet, unetKeys);
        map.addTextEncoder(textLayers);
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

    private void addTextEncoder(int layers) {
        for (int layer = 0; layer < layers; layer++) {
            for (Map.Entry<String, String> part : TEXT_PARTS.entrySet()) {
                String target = TEXT_PREFIX + "encoder.layers." + layer + "." + part.getKey() + ".weight";
                String kohya = "text_model_encoder_layers_" + layer + "_" + part.getValue();
                targets.put("lora_te_" + kohya, target);
                targets.put("lora_te1_" + kohya, target);
                targets.put("text_encoder.text_model.encoder.layers." + layer + "." + part.getKey(), target);
            }
        }
    }
}
