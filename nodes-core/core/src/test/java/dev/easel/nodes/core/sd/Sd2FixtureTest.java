package dev.easel.nodes.core.sd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.nodes.core.clip.ClipTextEncoder;
import dev.easel.nodes.core.clip.ClipTextModel;
import dev.easel.nodes.core.clip.ClipTower;
import dev.easel.nodes.core.testing.ReferenceCase;
import dev.easel.nodes.core.unet.Parameterization;
import dev.easel.nodes.core.unet.UNetDenoiser;
import dev.easel.nodes.core.vae.AutoencoderKL;
import dev.easel.nodes.core.vae.LatentFormat;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SD2.x 768-v reference cases ({@code ../shared/fixtures/sd2}) through the checkpoint loader's parts. */
class Sd2FixtureTest {

    private static CheckpointLoading.Parts parts;

    @BeforeAll
    static void load() throws Exception {
        parts = CheckpointLoading.load(ReferenceCase.fixtures().resolve("sd2/sd2_tiny_s2101_f16.safetensors"),
                ScalarType.Float);
    }

    @AfterAll
    static void release() {
        parts.model().release();
        parts.clip().release();
        parts.vae().release();
    }

    @Test
    void detectedAsV768WithOpenClipH() {
        assertEquals(List.of(), parts.unexpectedKeys());
        assertEquals(Parameterization.V_PREDICTION, parts.model().parameterization());
        assertEquals(LatentFormat.SD15, parts.model().latentFormat());
        assertEquals(16, parts.model().unet().config().numHeadChannels());
        assertEquals(List.of("h"), parts.clip().towers().stream().map(ClipTower::name).toList());
        ClipTextModel.Config clip = parts.clip().model().config();
        assertFalse(clip.quickGelu());
        assertEquals(2, clip.heads());
        assertEquals(-2, parts.clip().layer());
    }

    @Test
    void textTowerHiddenStatesAndProjectedPooled() {
        try (ReferenceCase c = ReferenceCase.open("sd2/sd2_clip_tokens.safetensors");
                PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            ClipTextModel model = parts.clip().model();
            Tensor tokens = c.in("clip_tokens").to(ScalarType.Long);
            ClipTextModel.Output last = model.forward(tokens, -1, true);
            c.assertClose(last.last(), "clip_last");
            c.assertClose(model.forward(tokens, -2, true).hidden(), "clip_penultimate");
            c.assertClose(model.forward(tokens, -2, false).hidden(), "clip_penultimate_raw");
            c.assertClose(last.pooled(), "clip_pooled_unprojected");
            c.assertClose(model.projectPooled(last.pooled()), "clip_pooled");
        }
    }

    @Test
    void clipTextEncodeMatchesTokensConditioningAndPooled() {
        JsonNode info = caseInfo("sd2_clip_text_encode");
        try (ReferenceCase c = ReferenceCase.open("sd2/sd2_clip_text_encode.safetensors");
                PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            for (int i = 0; i < info.get("prompts").size(); i++) {
                String prompt = info.get("prompts").get(i).asText();
                ClipTextEncoder.Encoded e = parts.clip().encode(prompt);
                c.assertExact(Tensor.create(flatten(e.chunks().tokens()), e.chunks().count(), 77),
                        "cond_" + i + "_tokens");
                c.assertClose(Tensor.create(flattenWeights(e.chunks().weights()), e.chunks().count(), 77),
                        "cond_" + i + "_weights", 1e-7);
                c.assertClose(e.cond(), "cond_" + i);
                c.assertClose(e.pooled(), "cond_" + i + "_pooled");
            }
        }
    }

    @Test
    void vPredictionDenoiser() {
        try (ReferenceCase c = ReferenceCase.open("sd2/sd2_denoiser_b3.safetensors");
                PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            UNetDenoiser denoiser = parts.model().denoiser();
            Tensor sigma = c.in("den_sigma");
            c.assertClose(denoiser.timestep(sigma), "den_t");
            c.assertClose(denoiser.cIn(sigma), "den_c_in");
            Tensor x = c.in("den_x");
            Tensor context = c.in("den_context");
            Tensor v = parts.model().unet().forward(x.mul(denoiser.cIn(sigma).reshape(-1, 1, 1, 1)),
                    denoiser.timestep(sigma), context);
            c.assertClose(v, "den_model_out");
            c.assertClose(denoiser.denoise(x, sigma, context), "den_denoised");
        }
    }

    @Test
    void vaeDecode() {
        try (ReferenceCase c = ReferenceCase.open("sd2/sd2_vae_decode.safetensors");
                PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            AutoencoderKL vae = parts.vae().vae();
            c.assertClose(AutoencoderKL.toImage(vae.decode(c.in("vae_latent"))), "vae_image");
        }
    }

    static JsonNode caseInfo(String name) {
        return caseInfo("sd2", name);
    }

    static JsonNode caseInfo(String folder, String name) {
        for (JsonNode c : ReferenceCase.index(folder).get("cases")) {
            if (c.get("case").asText().equals(name)) {
                return c.get("info");
            }
        }
        throw new IllegalStateException("no case " + name);
    }

    static long[] flatten(long[][] rows) {
        return java.util.Arrays.stream(rows).flatMapToLong(java.util.Arrays::stream).toArray();
    }

    static float[] flattenWeights(double[][] rows) {
        double[] flat = java.util.Arrays.stream(rows).flatMapToDouble(java.util.Arrays::stream).toArray();
        float[] out = new float[flat.length];
        for (int i = 0; i < flat.length; i++) {
            out[i] = (float) flat[i];
        }
        return out;
    }
}
