package dev.easel.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.clip.ClipTextModel;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.model.files.DetectedModel;
import dev.easel.nodes.core.model.files.ModelComponent;
import dev.easel.nodes.core.model.files.ModelDetector;
import dev.easel.nodes.core.model.files.ModelFamily;
import dev.easel.nodes.core.unet.UNetConfig;
import dev.easel.nodes.core.vae.TensorShapes;
import dev.easel.nodes.core.vae.VaeConfig;
import dev.easel.runtime.Torch;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The fresh weights are in the SD1.x layout, and the core pack's detection reads exactly our configs back. */
class Sd1LayoutTest {

    @Test
    void detectionInfersTheTinyConfigsFromTheShapes() {
        Torch.load();
        for (TinySdConfig config : new TinySdConfig[] {TinySdConfig.DEFAULT, TinySdConfig.SMOKE}) {
            try (ModelParameters params = ModelParameters.fresh(Sd1Layout.all(config), 7)) {
                StateDict all = StateDict.of("tiny", params.tensors());
                try {
                    DetectedModel detected = ModelDetector.detect(all);
                    assertEquals(ModelFamily.SD1, detected.family());
                    assertEquals("model.diffusion_model.", detected.prefix(ModelComponent.UNET));
                    assertEquals("first_stage_model.", detected.prefix(ModelComponent.VAE));
                    assertEquals("cond_stage_model.transformer.", detected.prefix(ModelComponent.TEXT_ENCODER));

                    StateDict unet = all.withPrefix(Sd1Layout.UNET_PREFIX);
                    StateDict vae = all.withPrefix(Sd1Layout.VAE_PREFIX);
                    StateDict clip = all.withPrefix(Sd1Layout.CLIP_PREFIX);
                    try {
                        assertEquals(config.unet(), UNetConfig.fromStateDict(unet));
                        assertEquals(config.vae(), VaeConfig.detect(TensorShapes.of(vae)));
                        assertEquals(config.clip(), ClipTextModel.Config.detect(clip));
                    } finally {
                        unet.release();
                        vae.release();
                        clip.release();
                    }
                } finally {
                    all.release();
                }
                System.out.printf("%s: vae %,d  clip %,d  unet %,d  total %,d parameters%n",
                        config == TinySdConfig.DEFAULT ? "DEFAULT" : "SMOKE", params.count(Sd1Layout.VAE_PREFIX),
                        params.count(Sd1Layout.CLIP_PREFIX), params.count(Sd1Layout.UNET_PREFIX), params.count());
            }
        }
    }

    @Test
    void freshWeightsAreTrainableLeavesInitialisedAsLdmDoes() {
        Torch.load();
        try (ModelParameters params = ModelParameters.fresh(Sd1Layout.all(TinySdConfig.SMOKE), 1);
             ModelParameters again = ModelParameters.fresh(Sd1Layout.all(TinySdConfig.SMOKE), 1)) {
            for (var e : params.tensors().entrySet()) {
                Tensor t = e.getValue();
                assertTrue(t.requires_grad() && t.is_leaf(), e.getKey());
                assertTrue(t.equal(again.tensors().get(e.getKey())), "same seed, same weights: " + e.getKey());
            }
            String u = Sd1Layout.UNET_PREFIX;
            assertEquals(0.0, absMax(params, u + "out.2.weight"));
            assertEquals(0.0, absMax(params, u + "input_blocks.1.0.out_layers.3.weight"));
            assertEquals(0.0, absMax(params, u + "middle_block.1.proj_out.weight"));
            assertEquals(1.0, absMax(params, u + "out.0.weight"));
            double bound = 1.0 / Math.sqrt(4 * 9); // conv_in: fan_in = 4 channels · 3 · 3
            double conv = absMax(params, u + "input_blocks.0.0.weight");
            assertTrue(conv > 0.9 * bound && conv <= bound, "kaiming-uniform bound: " + conv);
            double tok = params.tensors().get(Sd1Layout.CLIP_PREFIX + "embeddings.token_embedding.weight").std()
                    .item().toDouble();
            assertEquals(0.02, tok, 0.001);
        }
    }

    private static double absMax(ModelParameters p, String name) {
        return p.tensors().get(name).abs().max().item().toDouble();
    }
}
