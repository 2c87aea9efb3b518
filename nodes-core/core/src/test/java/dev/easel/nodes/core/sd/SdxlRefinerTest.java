package dev.easel.nodes.core.sd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.node.ModelLibrary;
import dev.easel.nodes.core.clip.ClipTower;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.testing.ReferenceCase;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.Latent;
import dev.easel.nodes.core.vae.LatentFormat;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SDXL refiner checkpoint (no reference fixture exists: it is made here from the tiny SDXL base file in the
 * refiner's layout — bigG as {@code conditioner.embedders.0}, no CLIP-L, cross-attention over bigG's 8 features,
 * {@code label_emb} taking the pooled output plus five size/score embeddings) is recognised, encodes with
 * CLIPTextEncodeSDXLRefiner, builds the refiner's adm vector (aesthetic score 6 / 2.5 by default for positive /
 * negative) and samples.
 */
class SdxlRefinerTest {

    @TempDir
    Path dir;

    @Test
    void refinerLayoutLoadsEncodesAndSamples() throws Exception {
        Path file = refinerCheckpoint(dir.resolve("models/checkpoints/refiner.safetensors"));
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope()) {
            CheckpointLoading.Parts parts = CheckpointLoading.load(file, ScalarType.Float);
            runner.own(parts.model());
            runner.own(parts.clip());
            runner.own(parts.vae());
            assertEquals(AdmEncoder.SDXL_REFINER, parts.model().adm());
            assertEquals(LatentFormat.SDXL, parts.model().latentFormat());
            assertEquals(java.util.List.of("g"), parts.clip().towers().stream().map(ClipTower::name).toList());

            Map<String, Object> inputs = new HashMap<>(Map.of("ascore", 7.5, "width", 1024L, "height", 768L,
                    "text", "a castle", "clip", parts.clip()));
            Conditioning positive = runner.own((Conditioning) runner.runForValue(ClipTextEncodeSdxl.refiner(ModelLibrary.EMPTY),
                    inputs));
            Conditioning.Entry entry = positive.entries().get(0);
            assertEquals(8, entry.cond().tensor().size(2));
            assertEquals(7.5, entry.options().get("aesthetic_score"));
            Tensor y = AdmEncoder.SDXL_REFINER.encode(entry.options(), 8, 8, false);
            assertEquals(8 + 5 * 256, y.size(1));
            // the last 256 values embed the aesthetic score: cos(7.5·f_0) = cos(7.5) first
            assertEquals(Math.cos(7.5), y.select(1, 8 + 4 * 256).item().toDouble(), 1e-6);
            assertEquals(Math.cos(768.0), y.select(1, 8).item().toDouble(), 1e-4); // height first
            Conditioning negative = runner.own((Conditioning) runner.runForValue(new ClipTextEncode(),
                    Map.of("text", "", "clip", parts.clip())));
            Tensor yNegative = AdmEncoder.SDXL_REFINER.encode(negative.entries().get(0).options(), 8, 8, true);
            assertEquals(Math.cos(2.5), yNegative.select(1, 8 + 4 * 256).item().toDouble(), 1e-6);
            assertEquals(Math.cos(64.0), yNegative.select(1, 8).item().toDouble(), 1e-4); // 8 × the latent

            Latent latent = runner.own((Latent) runner.runForValue(
                    new dev.easel.nodes.core.latent.EmptyLatentImage(), Map.of("width", 64L, "height", 64L,
                            "batch_size", 1L)));
            Latent out = runner.kSample(parts.model(), positive, negative, latent, 3, 3, 5.0);
            assertTrue(out.samples().tensor().isfinite().all().item().toBool());
            assertEquals(4, out.samples().tensor().size(1));
        }
    }

    /** The tiny SDXL base file rearranged into the refiner's layout (random label_emb for the new adm width). */
    static Path refinerCheckpoint(Path out) throws Exception {
        StateDict all = StateDict.readSafetensors(ReferenceCase.fixtures().resolve(
                "sdxl/sdxl_tiny_s2301_f16.safetensors"), ScalarType.Half);
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            torch.manual_seed(9);
            for (String key : all.keys()) {
                Tensor t = all.get(key);
                if (key.startsWith("conditioner.embedders.0.")) {
                    continue; // no CLIP-L
                } else if (key.startsWith("conditioner.embedders.1.")) {
                    tensors.put(key.replace("conditioner.embedders.1.", "conditioner.embedders.0."), t);
                } else if (key.endsWith("attn2.to_k.weight") || key.endsWith("attn2.to_v.weight")) {
                    tensors.put(key, t.narrow(1, 8, 8).contiguous()); // bigG's half of the 16-wide context
                } else if (key.equals("model.diffusion_model.label_emb.0.0.weight")) {
                    tensors.put(key, torch.randn(t.size(0), 8 + 5 * 256).mul(new Scalar(0.03))
                            .to(ScalarType.Half));
                } else {
                    tensors.put(key, t);
                }
            }
            java.nio.file.Files.createDirectories(out.getParent());
            SafetensorsWriter.write(out, SafetensorsWriter.referenceOrder(tensors));
        } finally {
            all.release();
        }
        return out;
    }

}
