package dev.easel.nodes.core.sd;

import static dev.easel.nodes.core.sd.Sd2FixtureTest.caseInfo;
import static dev.easel.nodes.core.sd.Sd2FixtureTest.flatten;
import static dev.easel.nodes.core.sd.Sd2FixtureTest.flattenWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.nodes.core.clip.ClipTextEncoder;
import dev.easel.nodes.core.clip.ClipTextModel;
import dev.easel.node.ModelLibrary;
import dev.easel.nodes.core.clip.ClipTower;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.testing.ReferenceCase;
import dev.easel.nodes.core.unet.Parameterization;
import dev.easel.nodes.core.unet.UNetDenoiser;
import dev.easel.nodes.core.unet.UNetPatches;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.vae.AutoencoderKL;
import dev.easel.nodes.core.vae.LatentFormat;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDXL base reference cases ({@code ../shared/fixtures/sdxl}) through the checkpoint loader's parts and nodes. */
class SdxlFixtureTest {

    private static CheckpointLoading.Parts parts;

    @TempDir
    static Path dir;

    @BeforeAll
    static void load() throws Exception {
        parts = CheckpointLoading.load(ReferenceCase.fixtures().resolve("sdxl/sdxl_tiny_s2301_f16.safetensors"),
                ScalarType.Float);
    }

    @AfterAll
    static void release() {
        parts.model().release();
        parts.clip().release();
        parts.vae().release();
    }

    @Test
    void detectedAsSdxlBase() {
        assertEquals(List.of(), parts.unexpectedKeys());
        assertEquals(Parameterization.EPS, parts.model().parameterization());
        assertEquals(LatentFormat.SDXL, parts.model().latentFormat());
        assertEquals(AdmEncoder.SDXL, parts.model().adm());
        assertEquals(8, parts.model().unet().config().numHeadChannels());
        assertEquals(List.of("l", "g"), parts.clip().towers().stream().map(ClipTower::name).toList());
        assertTrue(parts.clip().towers().get(0).model().config().quickGelu());
        assertTrue(!parts.clip().towers().get(1).model().config().quickGelu());
    }

    @Test
    void bothTowersAndTheirContext() {
        try (ReferenceCase c = ReferenceCase.open("sdxl/sdxl_clip_tokens.safetensors");
                PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            ClipTextModel l = parts.clip().towers().get(0).model();
            ClipTextModel g = parts.clip().towers().get(1).model();
            Tensor tokensL = c.in("clip_tokens_l").to(ScalarType.Long);
            Tensor tokensG = c.in("clip_tokens_g").to(ScalarType.Long);
            c.assertClose(l.forward(tokensL, -1, true).last(), "clip_l_last");
            c.assertClose(l.forward(tokensL, -2, false).hidden(), "clip_l_penultimate");
            c.assertClose(l.forward(tokensL, -2, true).hidden(), "clip_l_penultimate_ln");
            c.assertClose(l.forward(tokensL, -1, true).pooled(), "clip_l_pooled");
            ClipTextModel.Output outG = g.forward(tokensG, -2, false);
            c.assertClose(outG.last(), "clip_g_last");
            c.assertClose(outG.hidden(), "clip_g_penultimate");
            c.assertClose(g.forward(tokensG, -2, true).hidden(), "clip_g_penultimate_ln");
            c.assertClose(outG.pooled(), "clip_g_pooled_unprojected");
            c.assertClose(g.projectPooled(outG.pooled()), "clip_g_pooled");
            Tensor context = torch.cat(new org.bytedeco.pytorch.TensorVector(
                    l.forward(tokensL, -2, false).hidden(), outG.hidden()), -1);
            c.assertClose(context, "context");
        }
    }

    @Test
    void clipTextEncodeAndItsDefaultAdmVector() throws Exception {
        JsonNode cases = caseInfo("sdxl", "sdxl_clip_text_encode").get("CLIPTextEncode");
        try (ReferenceCase c = ReferenceCase.open("sdxl/sdxl_clip_text_encode.safetensors");
                NodeRunner runner = new NodeRunner(new FakeNodeContext(dir));
                PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            for (JsonNode info : cases) {
                String p = "te_" + info.get("index").asInt() + "_";
                ClipTextEncoder.Encoded l = parts.clip().towers().get(0).encoder()
                        .encode(parts.clip().towers().get(0).tokenizer().tokenize(info.get("text").asText()), -2);
                WeightedTokenizerCheck.assertChunks(c, l, p + "tokens_l", p + "weights_l");
                ClipTextEncoder.Encoded g = parts.clip().towers().get(1).encoder()
                        .encode(parts.clip().towers().get(1).tokenizer().tokenize(info.get("text").asText()), -2);
                WeightedTokenizerCheck.assertChunks(c, g, p + "tokens_g", p + "weights_g");

                Conditioning cond = runner.own((Conditioning) runner.runForValue(new ClipTextEncode(),
                        Map.of("text", info.get("text").asText(), "clip", parts.clip())));
                Conditioning.Entry entry = cond.entries().get(0);
                c.assertClose(entry.cond().tensor(), p + "cond");
                c.assertClose(entry.pooled().orElseThrow().tensor(), p + "pooled");
                JsonNode hw = info.get("latent_hw");
                c.assertClose(AdmEncoder.SDXL.encode(entry.options(), hw.get(0).asLong(), hw.get(1).asLong(), false),
                        p + "adm");
            }
        }
    }

    @Test
    void clipTextEncodeSdxlNodeWithSizes() throws Exception {
        JsonNode cases = caseInfo("sdxl", "sdxl_clip_text_encode").get("CLIPTextEncodeSDXL");
        try (ReferenceCase c = ReferenceCase.open("sdxl/sdxl_clip_text_encode.safetensors");
                NodeRunner runner = new NodeRunner(new FakeNodeContext(dir));
                PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            for (JsonNode info : cases) {
                String p = "xl_" + info.get("index").asInt() + "_";
                Map<String, Object> inputs = new HashMap<>();
                inputs.put("clip", parts.clip());
                for (String name : List.of("width", "height", "crop_w", "crop_h", "target_width", "target_height")) {
                    inputs.put(name, info.get(name).asLong());
                }
                inputs.put("text_g", info.get("text_g").asText());
                inputs.put("text_l", info.get("text_l").asText());
                Conditioning cond = runner.own((Conditioning) runner.runForValue(
                        ClipTextEncodeSdxl.base(ModelLibrary.EMPTY), inputs));
                Conditioning.Entry entry = cond.entries().get(0);
                c.assertClose(entry.cond().tensor(), p + "cond");
                c.assertClose(entry.pooled().orElseThrow().tensor(), p + "pooled");
                // the latent size does not matter: the node's numbers win
                c.assertClose(AdmEncoder.SDXL.encode(entry.options(), 3, 5, false), p + "adm");
            }
        }
    }

    @Test
    void sdxlNodesRefuseOtherClipsAndAdmNeedsPooled() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir));
                PointerScope scope = new PointerScope()) {
            CheckpointLoading.Parts sd1 = CheckpointLoading.load(
                    ReferenceCase.fixtures().resolve("sd15_tiny_s1234_f16.safetensors"), ScalarType.Float);
            try {
                Map<String, Object> inputs = new HashMap<>(Map.of("clip", sd1.clip(), "width", 1024L, "height",
                        1024L, "crop_w", 0L, "crop_h", 0L, "target_width", 1024L, "target_height", 1024L));
                inputs.put("text_g", "a");
                inputs.put("text_l", "b");
                Exception e = assertThrows(Exception.class, () -> runner.run(
                        ClipTextEncodeSdxl.base(ModelLibrary.EMPTY), inputs));
                assertTrue(String.valueOf(e.getMessage()).contains("needs an SDXL CLIP"), e.getMessage());
            } finally {
                sd1.model().release();
                sd1.clip().release();
                sd1.vae().release();
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AdmEncoder.SDXL.encode(Map.of(), 8, 8, true));
            assertTrue(e.getMessage().contains("negative conditioning has none"), e.getMessage());
            assertEquals(1544, AdmEncoder.SDXL.width(8));
            assertEquals(2560, AdmEncoder.SDXL_REFINER.width(1280));
        }
    }

    @Test
    void denoiserWithAdm() {
        try (ReferenceCase c = ReferenceCase.open("sdxl/sdxl_denoiser_b2.safetensors");
                PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            UNetDenoiser denoiser = parts.model().denoiser();
            Tensor sigma = c.in("den_sigma");
            c.assertClose(denoiser.timestep(sigma), "den_t");
            c.assertClose(denoiser.denoise(c.in("den_x"), sigma, c.in("den_context"), c.in("den_y"),
                    UNetPatches.NONE), "den_denoised");
        }
    }

    @Test
    void vaeDecodeAndEncode() {
        try (ReferenceCase c = ReferenceCase.open("sdxl/sdxl_vae.safetensors");
                PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            AutoencoderKL vae = parts.vae().vae();
            Tensor decoded = vae.decode(c.in("vae_latent"));
            c.assertClose(decoded, "vae_decoded");
            c.assertClose(AutoencoderKL.toImage(decoded), "vae_image");
            c.assertClose(vae.encode(c.in("vae_pixels")), "vae_enc_mean");
        }
    }

    @Test
    void sdxlEmbeddingFilesGiveEachTowerItsOwnVectors() throws Exception {
        // an SDXL embedding whose clip_l / clip_g rows are each tower's token embeddings of "red car"
        java.nio.file.Path folder = java.nio.file.Files.createDirectories(dir.resolve("models/embeddings"));
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            int[] ids = dev.easel.nodes.core.clip.ClipTokenizer.standard().encode("red car");
            Tensor index = Tensor.create(java.util.Arrays.stream(ids).asLongStream().toArray(), ids.length);
            Map<String, Tensor> file = new java.util.LinkedHashMap<>();
            file.put("clip_l", parts.clip().towers().get(0).model().weights()
                    .get("embeddings.token_embedding.weight").index_select(0, index).contiguous());
            file.put("clip_g", parts.clip().towers().get(1).model().weights()
                    .get("embeddings.token_embedding.weight").index_select(0, index).contiguous());
            dev.easel.runtime.safetensors.SafetensorsWriter.write(folder.resolve("xl_car.safetensors"), file);
        }
        ModelLibrary models = new dev.easel.engine.models.FolderModelLibrary(
                new dev.easel.engine.models.ModelFolders(dir));
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir));
                PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Tensor withEmbedding = encodeSdxl(runner, models, "a photo of a embedding:xl_car");
            Tensor withWords = encodeSdxl(runner, models, "a photo of a red car");
            Tensor other = encodeSdxl(runner, models, "a photo of a blue car");
            double same = withEmbedding.sub(withWords).abs().max().item().toDouble();
            double differs = withEmbedding.sub(other).abs().max().item().toDouble();
            assertTrue(same < 1e-5, "embedding vs words: " + same);
            assertTrue(differs > 1e-3, "a different word changes the conditioning: " + differs);
        }
    }

    private static Tensor encodeSdxl(NodeRunner runner, ModelLibrary models, String text) throws Exception {
        Map<String, Object> inputs = new HashMap<>(Map.of("clip", parts.clip(), "width", 1024L, "height", 1024L,
                "crop_w", 0L, "crop_h", 0L, "target_width", 1024L, "target_height", 1024L));
        inputs.put("text_g", text);
        inputs.put("text_l", text);
        Conditioning cond = runner.own((Conditioning) runner.runForValue(ClipTextEncodeSdxl.base(models), inputs));
        return cond.entries().get(0).cond().tensor();
    }

    /** Token ids and weights of the first chunks against a case's recorded ones. */
    static final class WeightedTokenizerCheck {
        static void assertChunks(ReferenceCase c, ClipTextEncoder.Encoded e, String tokens, String weights) {
            int n = e.chunks().count();
            c.assertExact(Tensor.create(flatten(e.chunks().tokens()), n, 77), tokens);
            c.assertClose(Tensor.create(flattenWeights(e.chunks().weights()), n, 77), weights, 1e-7);
        }
    }

}
