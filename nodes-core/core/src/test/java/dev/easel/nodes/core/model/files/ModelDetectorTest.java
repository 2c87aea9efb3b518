package dev.easel.nodes.core.model.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.runtime.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelDetectorTest {

    private static final Path FIXTURES = CheckpointReaderTest.fixtures();

    /** Detects from the safetensors header alone (names and shapes), as the loader may before reading weights. */
    private static DetectedModel detectFile(String relative) throws IOException {
        Path file = FIXTURES.resolve(relative);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return ModelDetector.detect(file.getFileName().toString(), new LinkedHashSet<>(f.names()),
                    name -> f.info(name).shape());
        }
    }

    @Test
    void sd15Fixture() throws IOException {
        DetectedModel m = detectFile("sd15_tiny_s1234_f16.safetensors");
        assertEquals(ModelFamily.SD1, m.family());
        assertEquals(Map.of(ModelComponent.UNET, "model.diffusion_model.", ModelComponent.TEXT_ENCODER,
                "cond_stage_model.transformer.", ModelComponent.VAE, "first_stage_model."), m.components());
        assertEquals("", m.variant());
    }

    @Test
    void sd2Fixture() throws IOException {
        DetectedModel m = detectFile("sd2/sd2_tiny_s2101_f16.safetensors");
        assertEquals(ModelFamily.SD2, m.family());
        assertEquals("cond_stage_model.model.", m.prefix(ModelComponent.TEXT_ENCODER));
        assertTrue(m.has(ModelComponent.UNET) && m.has(ModelComponent.VAE));
    }

    @Test
    void sdxlFixture() throws IOException {
        DetectedModel m = detectFile("sdxl/sdxl_tiny_s2301_f16.safetensors");
        assertEquals(ModelFamily.SDXL, m.family());
        assertEquals("conditioner.embedders.0.transformer.", m.prefix(ModelComponent.TEXT_ENCODER));
        assertEquals("conditioner.embedders.1.model.", m.prefix(ModelComponent.TEXT_ENCODER_2));
        assertTrue(m.has(ModelComponent.UNET) && m.has(ModelComponent.VAE));
    }

    @Test
    void controlnetFixture() throws IOException {
        DetectedModel m = detectFile("controlnet/controlnet_sd15_tiny_s1501_f16.safetensors");
        assertEquals(ModelFamily.CONTROLNET, m.family());
        assertEquals("control_model.", m.prefix(ModelComponent.CONTROLNET));
    }

    @Test
    void loraFixtures() throws IOException {
        DetectedModel kohya = detectFile("lora/lora_kohya_sd15_tiny_s1601.safetensors");
        assertEquals(ModelFamily.LORA, kohya.family());
        assertEquals("kohya", kohya.variant());
        assertTrue(kohya.has(ModelComponent.LORA_UNET) && kohya.has(ModelComponent.LORA_TEXT_ENCODER));
        DetectedModel peft = detectFile("lora/lora_peft_sd15_tiny_s1602.safetensors");
        assertEquals(ModelFamily.LORA, peft.family());
        assertEquals("peft", peft.variant());
        assertTrue(peft.has(ModelComponent.LORA_UNET) && peft.has(ModelComponent.LORA_TEXT_ENCODER));
    }

    @Test
    void referenceOutputFilesAreNotModels() {
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> detectFile("sdxl/sdxl_vae.safetensors"));
        assertTrue(e.getMessage().startsWith("sdxl_vae.safetensors: unrecognised model architecture (5 weights"),
                e.getMessage());
        assertTrue(e.getMessage().contains("in/vae_latent"), e.getMessage());
    }

    @Test
    void syntheticLayouts() {
        Map<String, long[]> shapes = new HashMap<>();
        // a bare LDM VAE, and one still under first_stage_model.
        DetectedModel vae = detect(Set.of("encoder.conv_in.weight", "decoder.conv_in.weight", "quant_conv.weight"),
                shapes);
        assertEquals(ModelFamily.VAE, vae.family());
        assertEquals("", vae.prefix(ModelComponent.VAE));
        DetectedModel extracted = detect(Set.of("first_stage_model.encoder.conv_in.weight",
                "first_stage_model.decoder.conv_in.weight"), shapes);
        assertEquals("first_stage_model.", extracted.prefix(ModelComponent.VAE));
        assertEquals("diffusers layout", detect(Set.of("encoder.conv_in.weight", "decoder.conv_in.weight",
                "encoder.down_blocks.0.resnets.0.conv1.weight"), shapes).variant());

        // SDXL refiner: one OpenCLIP-G text encoder under embedders.0
        DetectedModel refiner = detect(Set.of("model.diffusion_model.label_emb.0.0.weight",
                "model.diffusion_model.input_blocks.0.0.weight", "conditioner.embedders.0.model.ln_final.weight"),
                shapes);
        assertEquals(ModelFamily.SDXL_REFINER, refiner.family());
        assertEquals("conditioner.embedders.0.model.", refiner.prefix(ModelComponent.TEXT_ENCODER_2));
        assertFalse(refiner.has(ModelComponent.TEXT_ENCODER));
        // bare SDXL diffusion models: base and refiner told apart by the ADM input width
        shapes.put("label_emb.0.0.weight", new long[] {1280, 2816});
        assertEquals(ModelFamily.SDXL, detect(Set.of("input_blocks.0.0.weight", "out.2.weight",
                "label_emb.0.0.weight"), shapes).family());
        shapes.put("label_emb.0.0.weight", new long[] {1536, 2560});
        assertEquals(ModelFamily.SDXL_REFINER, detect(Set.of("input_blocks.0.0.weight", "out.2.weight",
                "label_emb.0.0.weight"), shapes).family());

        // bare SD1 / SD2 UNets: 1x1-conv vs linear proj_in
        shapes.put("input_blocks.1.1.proj_in.weight", new long[] {320, 320, 1, 1});
        shapes.put("input_blocks.0.0.weight", new long[] {320, 9, 3, 3});
        Set<String> bare = Set.of("input_blocks.0.0.weight", "out.2.weight", "input_blocks.1.1.proj_in.weight");
        DetectedModel sd1 = detect(bare, shapes);
        assertEquals(ModelFamily.SD1, sd1.family());
        assertEquals("inpainting", sd1.variant());
        assertEquals(Map.of(ModelComponent.UNET, ""), sd1.components());
        shapes.put("input_blocks.1.1.proj_in.weight", new long[] {320, 320});
        assertEquals(ModelFamily.SD2, detect(bare, shapes).family());

        // unknown things
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> detect(Set.of("text_model.encoder.layers.0.mlp.fc1.weight", "foo"), shapes));
        assertTrue(e.getMessage().contains("unrecognised model architecture (2 weights, for example foo, text_model"),
                e.getMessage());
        assertThrows(UnsupportedModelException.class, () -> detect(Set.of(), shapes));
        assertThrows(UnsupportedModelException.class, () -> detect(Set.of("input_blocks.0.0.weight", "out.2.weight"),
                Map.of()));
    }

    private static DetectedModel detect(Set<String> keys, Map<String, long[]> shapes) {
        return ModelDetector.detect("test.safetensors", keys, k -> {
            long[] s = shapes.get(k);
            if (s == null) {
                throw new IllegalArgumentException(k);
            }
            return s;
        });
    }
}
