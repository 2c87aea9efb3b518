package dev.easel.nodes.core.controlnet;

import dev.easel.nodes.core.lora.UNetDiffusersNames;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.model.files.DetectedModel;
import dev.easel.nodes.core.model.files.ModelComponent;
import dev.easel.nodes.core.model.files.ModelDetector;
import dev.easel.nodes.core.model.files.ModelFamily;
import dev.easel.nodes.core.model.files.UnsupportedModelException;
import dev.easel.nodes.core.unet.UNetConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Brings the weights of a ControlNet file into the original (ControlNet 1.0/1.1, {@code cldm}) layout without prefix:
 * {@code input_hint_block.*}, {@code time_embed.*}, {@code input_blocks.*}, {@code zero_convs.N.0.*},
 * {@code middle_block.*}, {@code middle_block_out.0.*}. Files come as {@code control_model.*} (the published
 * {@code control_v11*} files), bare, or in the diffusers layout ({@code controlnet_cond_embedding.*},
 * {@code down_blocks.*}, {@code controlnet_down_blocks.N}, {@code controlnet_mid_block}), whose UNet part is renamed
 * with the same table the LoRA loader uses ({@link UNetDiffusersNames}).
 */
final class ControlNetLayouts {

    /** The hint encoder's convolutions in the diffusers layout, in order: index k is {@code input_hint_block.2k}. */
    private static final String HINT_IN = "controlnet_cond_embedding.conv_in";
    private static final String HINT_BLOCKS = "controlnet_cond_embedding.blocks.";
    private static final String HINT_OUT = "controlnet_cond_embedding.conv_out";

    private ControlNetLayouts() {
    }

    /**
     * The weights of {@code all} in the original layout, as a new dict the caller owns (sharing the tensors).
     *
     * @throws UnsupportedModelException when the file is not a ControlNet
     */
    static StateDict toOriginal(StateDict all, String fileName) {
        DetectedModel detected = ModelDetector.detect(all);
        if (detected.family() != ModelFamily.CONTROLNET) {
            throw new UnsupportedModelException(fileName, "not a ControlNet (it looks like " + detected.describe()
                    + "); put ControlNets in models/controlnet");
        }
        if (!all.has("controlnet_cond_embedding.conv_in.weight")) {
            return all.withPrefix(detected.prefix(ModelComponent.CONTROLNET));
        }
        return fromDiffusers(all, fileName);
    }

    private static StateDict fromDiffusers(StateDict all, String fileName) {
        UNetConfig config = diffusersConfig(all, fileName);
        Map<String, String> modules = new LinkedHashMap<>(UNetDiffusersNames.of(config));
        modules.put("controlnet_mid_block", "middle_block_out.0");
        for (int i = 0; all.has("controlnet_down_blocks." + i + ".weight"); i++) {
            modules.put("controlnet_down_blocks." + i, "zero_convs." + i + ".0");
        }
        modules.put(HINT_IN, "input_hint_block.0");
        int k = 0;
        for (; all.has(HINT_BLOCKS + k + ".weight"); k++) {
            modules.put(HINT_BLOCKS + k, "input_hint_block." + 2 * (k + 1));
        }
        modules.put(HINT_OUT, "input_hint_block." + 2 * (k + 1));

        Map<String, Tensor> renamed = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            for (String key : all.keys()) {
                int dot = key.lastIndexOf('.');
                String module = dot < 0 ? null : modules.get(key.substring(0, dot));
                if (module == null) {
                    unknown.add(key);
                } else {
                    renamed.put(module + key.substring(dot), new Tensor(all.get(key))); // a handle of its own
                }
            }
            if (!unknown.isEmpty()) {
                throw new UnsupportedModelException(fileName, "diffusers ControlNet with " + unknown.size()
                        + " weights of no known module, for example " + unknown.subList(0, Math.min(5,
                        unknown.size())));
            }
            return StateDict.of(fileName, renamed); // takes its own references before the scope closes
        }
    }

    /**
     * The encoder's architecture read from diffusers names (ComfyUI matches such files against its model table; the
     * shapes tell the same): widths from {@code conv_in} and each level's last ResNet, ResNets and transformer
     * depths by counting, context width from {@code attn2.to_k}, projections from {@code proj_in}'s rank.
     */
    static UNetConfig diffusersConfig(StateDict d, String fileName) {
        long[] convIn = shape(d, "conv_in.weight", fileName);
        int modelChannels = (int) convIn[0];
        int levels = UNetConfig.countIndexed(d.keys(), "down_blocks.");
        List<Integer> mult = new ArrayList<>();
        List<Integer> numRes = new ArrayList<>();
        List<Integer> depth = new ArrayList<>();
        Integer contextDim = null;
        boolean linear = false;
        for (int l = 0; l < levels; l++) {
            String level = "down_blocks." + l + ".";
            int res = UNetConfig.countIndexed(d.keys(), level + "resnets.");
            numRes.add(res);
            mult.add((int) (shape(d, level + "resnets." + (res - 1) + ".conv2.weight", fileName)[0] / modelChannels));
            for (int r = 0; r < res; r++) {
                String attention = level + "attentions." + r + ".";
                int dep = UNetConfig.countIndexed(d.keys(), attention + "transformer_blocks.");
                depth.add(dep);
                if (dep > 0 && contextDim == null) {
                    contextDim = (int) d.get(attention + "transformer_blocks.0.attn2.to_k.weight").size(1);
                    linear = d.get(attention + "proj_in.weight").dim() == 2;
                }
            }
        }
        int middle = d.has("mid_block.attentions.0.proj_in.weight")
                ? UNetConfig.countIndexed(d.keys(), "mid_block.attentions.0.transformer_blocks.")
                : d.has("mid_block.resnets.0.conv1.weight") ? -1 : -2;
        if (middle > 0 && contextDim == null) {
            contextDim = (int) d.get("mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight").size(1);
            linear = d.get("mid_block.attentions.0.proj_in.weight").dim() == 2;
        }
        Integer adm = d.has("add_embedding.linear_1.weight")
                ? (int) d.get("add_embedding.linear_1.weight").size(1) : null;
        List<Integer> depthOut = new ArrayList<>();
        for (int i = 0; i < depth.size() + levels; i++) {
            depthOut.add(0); // no output side
        }
        UNetConfig.Heads heads = UNetConfig.Heads.defaultFor(linear);
        return new UNetConfig((int) convIn[1], 4, modelChannels, mult, numRes, depth, middle, depthOut, contextDim,
                heads.numHeads(), heads.headChannels(), linear, adm);
    }

    private static long[] shape(StateDict d, String key, String fileName) {
        if (!d.has(key)) {
            throw new UnsupportedModelException(fileName, "diffusers ControlNet without '" + key + "'");
        }
        try (PointerScope scope = new PointerScope()) {
            return d.get(key).shape();
        }
    }
}
