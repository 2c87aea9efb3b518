package dev.easel.nodes.core.clip;

import dev.easel.nodes.core.model.StateDict;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The open_clip text tower's weight names (SD2.x {@code cond_stage_model.model.*}, SDXL {@code conditioner.embedders.1
 * .model.*}: {@code token_embedding}, {@code positional_embedding}, {@code transformer.resblocks.N.{ln_1, attn
 * .in_proj_weight, attn.out_proj, ln_2, mlp.c_fc, mlp.c_proj}}, {@code ln_final}, {@code text_projection}) mapped onto
 * the transformers {@code CLIPTextModel} names that {@link ClipTextModel} reads. The architecture is the same (Cherti
 * et al. 2023, "Reproducible scaling laws for contrastive language-image learning", the OpenCLIP models SD2 and SDXL
 * use); only the fused attention input projection differs: {@code in_proj_weight} rows are [q; k; v], so q, k and v
 * become views of its three row blocks, sharing its memory.
 */
public final class OpenClipLayout {

    /** The projection of the pooled output, [width, projection], kept under its open_clip name. */
    public static final String TEXT_PROJECTION = "text_projection";

    private static final Pattern BLOCK = Pattern.compile("^transformer\\.resblocks\\.(\\d+)\\.(.+)$");
    private static final Map<String, String> BLOCK_NAMES = Map.of(
            "ln_1.", "layer_norm1.",
            "ln_2.", "layer_norm2.",
            "attn.out_proj.", "self_attn.out_proj.",
            "mlp.c_fc.", "mlp.fc1.",
            "mlp.c_proj.", "mlp.fc2.");

    private OpenClipLayout() {
    }

    /** True when {@code weights} (the tower's keys without their checkpoint prefix) use the open_clip names. */
    public static boolean matches(StateDict weights) {
        return weights.has("token_embedding.weight") && weights.has("transformer.resblocks.0.attn.in_proj_weight");
    }

    /**
     * The tower's weights under {@link ClipTextModel}'s names, as a new dict sharing the tensors. Names this mapping
     * does not know ({@code logit_scale}, {@code attn_mask}) are not read, so the checkpoint reports them as left over
     * where the reference would.
     */
    public static StateDict toTextModelNames(StateDict openClip) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (String key : openClip.keys()) {
                String mapped = mapped(key);
                if (mapped != null) {
                    out.put(mapped, new Tensor(openClip.get(key))); // a new handle on the same storage
                    continue;
                }
                Matcher m = BLOCK.matcher(key);
                if (m.matches() && m.group(2).startsWith("attn.in_proj_")) {
                    String p = "encoder.layers." + m.group(1) + ".self_attn.";
                    String kind = m.group(2).substring("attn.in_proj_".length()); // weight or bias
                    Tensor fused = openClip.get(key);
                    long width = fused.size(0) / 3;
                    out.put(p + "q_proj." + kind, fused.narrow(0, 0, width));
                    out.put(p + "k_proj." + kind, fused.narrow(0, width, width));
                    out.put(p + "v_proj." + kind, fused.narrow(0, 2 * width, width));
                }
            }
            return StateDict.of(openClip.source(), out);
        }
    }

    private static String mapped(String key) {
        switch (key) {
            case "token_embedding.weight":
                return "embeddings.token_embedding.weight";
            case "positional_embedding":
                return "embeddings.position_embedding.weight";
            case "ln_final.weight":
                return "final_layer_norm.weight";
            case "ln_final.bias":
                return "final_layer_norm.bias";
            case TEXT_PROJECTION:
                return TEXT_PROJECTION;
            default:
                break;
        }
        Matcher m = BLOCK.matcher(key);
        if (!m.matches()) {
            return null;
        }
        for (Map.Entry<String, String> e : BLOCK_NAMES.entrySet()) {
            if (m.group(2).startsWith(e.getKey())) {
                return "encoder.layers." + m.group(1) + "." + e.getValue() + m.group(2).substring(e.getKey().length());
            }
        }
        return null;
    }
}
