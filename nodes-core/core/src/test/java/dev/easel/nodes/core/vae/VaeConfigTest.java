package dev.easel.nodes.core.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.runtime.Torch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class VaeConfigTest {

    /** The VaeConfig that sd15_configs.json describes for {@code which} ("tiny" or "full"). */
    private static VaeConfig expected(String which) throws IOException {
        JsonNode root = VaeFixtures.json("sd15_configs.json").get(which);
        JsonNode vae = root.get("vae");
        assertTrue(vae.get("double_z").asBoolean());
        assertEquals(0, vae.get("attn_resolutions").size());
        List<Integer> mult = new ArrayList<>();
        vae.get("ch_mult").forEach(m -> mult.add(m.asInt()));
        return new VaeConfig(vae.get("in_channels").asInt(), vae.get("out_ch").asInt(), vae.get("ch").asInt(), mult,
                vae.get("num_res_blocks").asInt(), vae.get("z_channels").asInt(), root.get("vae_embed_dim").asInt(),
                true);
    }

    private static TensorShapes sd15Manifest() throws IOException {
        return TensorShapes.readTsv(VaeFixtures.dir().resolve("sd15_keys.tsv")).withPrefix("first_stage_model.");
    }

    @Test
    void detectsTheTinyCheckpoint() throws IOException {
        Torch.load();
        StateDict all = StateDict.readSafetensors(VaeFixtures.dir().resolve(VaeFixtures.CHECKPOINT), ScalarType.Float);
        StateDict vae = all.withPrefix(AutoencoderKL.CHECKPOINT_PREFIX);
        try {
            VaeConfig config = VaeConfig.detect(TensorShapes.of(vae));
            assertEquals(expected("tiny"), config);
            assertEquals(8, config.downscaleRatio());
            assertEquals(vae.keys(), config.expectedKeys(), "every VAE weight of the file is used, none is missing");
        } finally {
            vae.release();
            all.release();
        }
    }

    @Test
    void detectsRealSd15FromTheKeyManifestWithoutLoadingWeights() throws IOException {
        TensorShapes shapes = sd15Manifest();
        assertEquals(248, shapes.names().size());
        VaeConfig config = VaeConfig.detect(shapes);
        assertEquals(expected("full"), config);
        assertEquals(VaeConfig.SD15, config);
        assertEquals(shapes.names(), config.expectedKeys());
    }

    @Test
    void acceptsLinearAttentionWeights() throws IOException {
        TensorShapes shapes = sd15Manifest();
        Map<String, long[]> edited = new LinkedHashMap<>();
        for (String name : shapes.names()) {
            long[] shape = shapes.shape(name);
            if (name.contains(".attn_1.") && name.endsWith(".weight") && shape.length == 4) {
                shape = new long[] {shape[0], shape[1]};
            }
            edited.put(name, shape);
        }
        assertEquals(VaeConfig.SD15, VaeConfig.detect(TensorShapes.of(edited)));
    }

    @Test
    void rejectsWhatItCannotRun() throws IOException {
        TensorShapes shapes = sd15Manifest();
        Map<String, long[]> missing = new LinkedHashMap<>();
        for (String name : shapes.names()) {
            if (!name.equals("decoder.up.2.upsample.conv.weight")) {
                missing.put(name, shapes.shape(name));
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VaeConfig.detect(TensorShapes.of(missing)));
        assertTrue(e.getMessage().contains("decoder.up.2.upsample.conv.weight"), e.getMessage());

        Map<String, long[]> prefixed = new LinkedHashMap<>();
        for (String name : shapes.names()) {
            prefixed.put("first_stage_model." + name, shapes.shape(name));
        }
        e = assertThrows(IllegalArgumentException.class, () -> VaeConfig.detect(TensorShapes.of(prefixed)));
        assertTrue(e.getMessage().contains("prefix"), e.getMessage());

        Map<String, long[]> diffusers = Map.of("decoder.up_blocks.0.resnets.0.norm1.weight", new long[] {512});
        e = assertThrows(IllegalArgumentException.class, () -> VaeConfig.detect(TensorShapes.of(diffusers)));
        assertTrue(e.getMessage().contains("diffusers"), e.getMessage());
    }

    @Test
    void manifestReaderSkipsCommentsAndHeader() throws IOException {
        List<String> lines = java.nio.file.Files.readAllLines(VaeFixtures.dir().resolve("sd15_keys.tsv"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) tensors").matcher(lines.get(0));
        assertTrue(m.find(), lines.get(0));
        TensorShapes all = TensorShapes.readTsv(VaeFixtures.dir().resolve("sd15_keys.tsv"));
        assertEquals(Integer.parseInt(m.group(1)), all.names().size(), "the count the manifest's header states");
        assertTrue(all.names().stream().noneMatch(n -> n.startsWith("#") || n.equals("name")));
    }
}
