package dev.easel.nodes.core.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.unet.ShapeSource;
import dev.easel.nodes.core.unet.UNetConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The LoRA names of the real SDXL base and SD2.1 layouts (from the fixtures' key manifests, no weights): kohya names
 * in both the diffusers and the checkpoint spelling and diffusers names reach the right UNet weight, SDXL's block
 * structure (no attention at level 0, 2 and 10 deep transformers) is followed, and each text tower gets its trainers'
 * names (te1/te2 on SDXL, te on SD2's OpenCLIP-H and the refiner's lone bigG).
 */
class LoraKeyMapFamiliesTest {

    private static final String U = LoraKeyMap.UNET_PREFIX;
    private static final String L = "conditioner.embedders.0.transformer.text_model.";
    private static final String G = "conditioner.embedders.1.model.";

    /** The manifest's tensor shapes by name. */
    private static Map<String, long[]> manifest(String file) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String line : Files.readAllLines(LoraFixtures.fixtures().resolve(file))) {
            if (line.isBlank() || line.startsWith("#") || line.startsWith("name\t")) {
                continue;
            }
            String[] cols = line.split("\t");
            String dims = cols[2].trim();
            long[] shape = dims.equals("scalar") || dims.isEmpty() ? new long[0]
                    : java.util.Arrays.stream(dims.split("x")).mapToLong(Long::parseLong).toArray();
            shapes.put(cols[0], shape);
        }
        return shapes;
    }

    private static LoraKeyMap keyMap(String manifest, List<LoraKeyMap.TextTower> towers) throws IOException {
        ShapeSource unet = ShapeSource.of(manifest(manifest)).withPrefix(U);
        return LoraKeyMap.of(UNetConfig.fromStateDict(unet), unet.keys(), towers);
    }

    @Test
    void sdxlBaseUnetNamesFollowItsBlockStructure() throws IOException {
        Set<String> keys = manifest("sdxl/sdxl_keys.tsv").keySet();
        LoraKeyMap map = keyMap("sdxl/sdxl_keys.tsv", List.of(new LoraKeyMap.TextTower("l", L, 12),
                new LoraKeyMap.TextTower("g", G, 32)));
        Map<String, String> expected = new LinkedHashMap<>();
        // diffusers names: level 0 has resnets only, level 1 transformers of depth 2, level 2 of depth 10
        expected.put("lora_unet_down_blocks_0_resnets_1_conv2", "input_blocks.2.0.out_layers.3");
        expected.put("lora_unet_down_blocks_0_downsamplers_0_conv", "input_blocks.3.0.op");
        expected.put("lora_unet_down_blocks_1_attentions_0_transformer_blocks_1_attn1_to_q",
                "input_blocks.4.1.transformer_blocks.1.attn1.to_q");
        expected.put("lora_unet_down_blocks_1_attentions_1_proj_in", "input_blocks.5.1.proj_in");
        expected.put("lora_unet_down_blocks_2_attentions_1_transformer_blocks_9_ff_net_2",
                "input_blocks.8.1.transformer_blocks.9.ff.net.2");
        expected.put("lora_unet_mid_block_attentions_0_transformer_blocks_9_attn2_to_k",
                "middle_block.1.transformer_blocks.9.attn2.to_k");
        expected.put("lora_unet_up_blocks_0_attentions_2_transformer_blocks_9_attn2_to_out_0",
                "output_blocks.2.1.transformer_blocks.9.attn2.to_out.0");
        expected.put("lora_unet_up_blocks_0_upsamplers_0_conv", "output_blocks.2.2.conv");
        expected.put("lora_unet_up_blocks_1_resnets_2_conv_shortcut", "output_blocks.5.0.skip_connection");
        expected.put("lora_unet_up_blocks_2_resnets_0_time_emb_proj", "output_blocks.6.0.emb_layers.1");
        expected.put("lora_unet_add_embedding_linear_1", "label_emb.0.0");
        // kohya's SDXL trainer writes the checkpoint's own module names
        expected.put("lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_k",
                "input_blocks.4.1.transformer_blocks.0.attn1.to_k");
        expected.put("lora_unet_output_blocks_0_1_transformer_blocks_9_ff_net_0_proj",
                "output_blocks.0.1.transformer_blocks.9.ff.net.0.proj");
        // diffusers / PEFT
        expected.put("unet.down_blocks.2.attentions.0.proj_out", "input_blocks.7.1.proj_out");
        expected.put("unet.up_blocks.1.attentions.0.transformer_blocks.1.attn1.processor.to_out",
                "output_blocks.3.1.transformer_blocks.1.attn1.to_out.0");
        expected.forEach((module, ldm) -> {
            assertEquals(Optional.of(U + ldm + ".weight"), map.target(module), module);
            assertTrue(keys.contains(U + ldm + ".weight"), ldm + " is an SDXL weight");
        });
        assertEquals(Optional.empty(), map.target("lora_unet_down_blocks_0_attentions_0_proj_in"),
                "SDXL has no attention at level 0");
        assertEquals(Optional.empty(), map.target("lora_unet_up_blocks_3_resnets_0_conv1"), "nor a fourth level");
    }

    @Test
    void sdxlTextTowersGetTe1AndTe2Names() throws IOException {
        LoraKeyMap map = keyMap("sdxl/sdxl_keys.tsv", List.of(new LoraKeyMap.TextTower("l", L, 12),
                new LoraKeyMap.TextTower("g", G, 32)));
        String l = L + "encoder.layers.11.mlp.fc1.weight";
        assertEquals(Optional.of(l), map.target("lora_te1_text_model_encoder_layers_11_mlp_fc1"));
        assertEquals(Optional.of(l), map.target("lora_te_text_model_encoder_layers_11_mlp_fc1"));
        assertEquals(Optional.of(l), map.target("text_encoder.text_model.encoder.layers.11.mlp.fc1"));
        String g = G + "encoder.layers.31.self_attn.v_proj.weight"; // a third of resblocks.31.attn.in_proj_weight
        assertEquals(Optional.of(g), map.target("lora_te2_text_model_encoder_layers_31_self_attn_v_proj"));
        assertEquals(Optional.of(g), map.target("text_encoder_2.text_model.encoder.layers.31.self_attn.v_proj"));
        assertEquals(Optional.of(G + "encoder.layers.0.self_attn.out_proj.weight"),
                map.target("lora_te2_text_model_encoder_layers_0_self_attn_out_proj"));
        assertEquals(Optional.empty(), map.target("lora_te1_text_model_encoder_layers_12_mlp_fc1"),
                "CLIP-L has 12 layers");
    }

    @Test
    void theRefinersLoneBigGAndSd2sOpenClipHTakeTheFirstEncodersNames() throws IOException {
        String refinerG = "conditioner.embedders.0.model.";
        LoraKeyMap refiner = keyMap("sdxl/sdxl_keys.tsv", List.of(new LoraKeyMap.TextTower("g", refinerG, 32)));
        assertEquals(Optional.of(refinerG + "encoder.layers.3.self_attn.q_proj.weight"),
                refiner.target("lora_te_text_model_encoder_layers_3_self_attn_q_proj"));
        assertEquals(Optional.of(refinerG + "encoder.layers.3.self_attn.q_proj.weight"),
                refiner.target("text_encoder.text_model.encoder.layers.3.self_attn.q_proj"));
        assertEquals(Optional.empty(), refiner.target("lora_te2_text_model_encoder_layers_3_self_attn_q_proj"));

        String h = "cond_stage_model.model.";
        LoraKeyMap sd2 = keyMap("sd2/sd2_keys.tsv", List.of(new LoraKeyMap.TextTower("h", h, 24)));
        for (String module : List.of("lora_te_text_model_encoder_layers_23_self_attn_k_proj",
                "lora_te1_text_model_encoder_layers_23_self_attn_k_proj",
                "text_encoder.text_model.encoder.layers.23.self_attn.k_proj")) {
            assertEquals(Optional.of(h + "encoder.layers.23.self_attn.k_proj.weight"), sd2.target(module), module);
        }
        Set<String> keys = manifest("sd2/sd2_keys.tsv").keySet();
        String projIn = "input_blocks.1.1.proj_in.weight"; // a linear [320, 320] on SD2
        assertEquals(Optional.of(U + projIn), sd2.target("lora_unet_down_blocks_0_attentions_0_proj_in"));
        assertTrue(keys.contains(U + projIn));
        assertEquals(Optional.of(U + "output_blocks.11.1.transformer_blocks.0.attn2.to_v.weight"),
                sd2.target("lora_unet_up_blocks_3_attentions_2_transformer_blocks_0_attn2_to_v"));
    }
}
