package dev.easel.nodes.core.lora;

import dev.easel.nodes.core.unet.UNetConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The diffusers module names of an SD-layout UNet ({@code down_blocks.0.resnets.1.conv1}), each mapped to the module it
 * is in the checkpoint's own (LDM) layout ({@code input_blocks.2.0.in_layers.2}), for the block structure a
 * {@link UNetConfig} describes. LoRA files name their targets either way.
 */
public final class UNetDiffusersNames {

    /** A ResBlock's parts: diffusers name → LDM name. */
    private static final Map<String, String> RESNET = Map.of("norm1", "in_layers.0", "conv1", "in_layers.2",
            "time_emb_proj", "emb_layers.1", "norm2", "out_layers.0", "conv2", "out_layers.3",
            "conv_shortcut", "skip_connection");

    /** A SpatialTransformer's own parts (same names in both layouts). */
    private static final List<String> TRANSFORMER = List.of("norm", "proj_in", "proj_out");

    /** Each BasicTransformerBlock's parts (same names in both layouts). */
    private static final List<String> TRANSFORMER_BLOCK = List.of("norm1", "norm2", "norm3", "attn1.to_q",
            "attn1.to_k", "attn1.to_v", "attn1.to_out.0", "attn2.to_q", "attn2.to_k", "attn2.to_v", "attn2.to_out.0",
            "ff.net.0.proj", "ff.net.2");

    private final Map<String, String> names = new LinkedHashMap<>();

    private UNetDiffusersNames() {
    }

    /** Diffusers module name → LDM module name (neither with {@code .weight}). */
    public static Map<String, String> of(UNetConfig config) {
        UNetDiffusersNames map = new UNetDiffusersNames();
        map.build(config);
        return Map.copyOf(map.names);
    }

    private void build(UNetConfig config) {
        names.put("conv_in", "input_blocks.0.0");
        names.put("time_embedding.linear_1", "time_embed.0");
        names.put("time_embedding.linear_2", "time_embed.2");
        names.put("conv_norm_out", "out.0");
        names.put("conv_out", "out.2");
        if (config.admInChannels() != null) {
            names.put("add_embedding.linear_1", "label_emb.0.0");
            names.put("add_embedding.linear_2", "label_emb.0.2");
        }
        int levels = config.levels();
        int block = 1;
        int resIndex = 0;
        for (int level = 0; level < levels; level++) {
            for (int r = 0; r < config.numResBlocks().get(level); r++) {
                String down = "down_blocks." + level;
                resnet(down + ".resnets." + r, "input_blocks." + block + ".0");
                transformer(down + ".attentions." + r, "input_blocks." + block + ".1",
                        config.transformerDepth().get(resIndex++));
                block++;
            }
            if (level < levels - 1) {
                names.put("down_blocks." + level + ".downsamplers.0.conv", "input_blocks." + block + ".0.op");
                block++;
            }
        }
        int middle = config.transformerDepthMiddle();
        if (middle >= -1) {
            resnet("mid_block.resnets.0", "middle_block.0");
            if (middle >= 0) {
                transformer("mid_block.attentions.0", "middle_block.1", middle);
                resnet("mid_block.resnets.1", "middle_block.2");
            }
        }
        int out = 0;
        for (int up = 0; up < levels; up++) {
            int level = levels - 1 - up;
            int count = config.numResBlocks().get(level) + 1;
            for (int i = 0; i < count; i++) {
                String prefix = "up_blocks." + up;
                int depth = config.outputDepth(out);
                resnet(prefix + ".resnets." + i, "output_blocks." + out + ".0");
                transformer(prefix + ".attentions." + i, "output_blocks." + out + ".1", depth);
                if (level > 0 && i == count - 1) {
                    names.put(prefix + ".upsamplers.0.conv", "output_blocks." + out + (depth > 0 ? ".2" : ".1")
                            + ".conv");
                }
                out++;
            }
        }
    }

    private void resnet(String diffusers, String ldm) {
        RESNET.forEach((d, l) -> names.put(diffusers + "." + d, ldm + "." + l));
    }

    /** A SpatialTransformer of {@code depth} blocks; none when the depth is 0 (no transformer there). */
    private void transformer(String diffusers, String ldm, int depth) {
        if (depth <= 0) {
            return;
        }
        for (String part : TRANSFORMER) {
            names.put(diffusers + "." + part, ldm + "." + part);
        }
        for (int t = 0; t < depth; t++) {
            for (String part : TRANSFORMER_BLOCK) {
                names.put(diffusers + ".transformer_blocks." + t + "." + part, ldm + ".transformer_blocks." + t + "."
                        + part);
            }
        }
    }
}
