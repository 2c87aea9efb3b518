package dev.easel.nodes.core.sd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.sampling.guidance.InpaintConcat;
import dev.easel.nodes.core.sampling.nodes.SetLatentNoiseMask;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.testing.ReferenceCase;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.Latent;
import dev.easel.nodes.core.vae.LatentFormat;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * InpaintModelConditioning and 9-channel inpainting checkpoints. The checkpoint is the tiny SD1.5 fixture with its
 * first convolution widened to 9 input channels; with zero weights on the 5 new channels it must sample exactly like
 * the base model with the same latent and noise mask, which checks the whole path (loading, the node, the sampler's
 * concatenation) end to end; the concatenated channels themselves are checked against the reference's rules.
 */
class InpaintModelConditioningTest {

    private static final String CONV_IN = "model.diffusion_model.input_blocks.0.0.weight";

    @TempDir
    Path dir;

    @Test
    void nineChannelCheckpointWithSilentExtraChannelsSamplesLikeTheBaseModel() throws Exception {
        Path base = ReferenceCase.fixtures().resolve("sd15_tiny_s1234_f16.safetensors");
        Path inpaint = widenedCheckpoint(base, dir.resolve("inpaint.safetensors"), 0.0);
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope()) {
            CheckpointLoading.Parts b = own(runner, CheckpointLoading.load(base, ScalarType.Float));
            CheckpointLoading.Parts i = own(runner, CheckpointLoading.load(inpaint, ScalarType.Float));
            assertEquals(9, i.model().unet().config().inChannels());

            torch.manual_seed(11);
            TensorRef pixels = runner.own(TensorRef.of(torch.rand(1, 64, 48, 3)));
            Tensor m = torch.zeros(1, 64, 48);
            m.narrow(1, 16, 32).narrow(2, 8, 24).fill_(new Scalar(1.0));
            TensorRef mask = runner.own(TensorRef.of(m));
            Conditioning positive = runner.own((Conditioning) runner.runForValue(new ClipTextEncode(),
                    Map.of("text", "a red apple", "clip", b.clip())));
            Conditioning negative = runner.own((Conditioning) runner.runForValue(new ClipTextEncode(),
                    Map.of("text", "", "clip", b.clip())));

            var conditioned = runner.run(new InpaintModelConditioning(), Map.of("positive", positive, "negative",
                    negative, "vae", i.vae(), "pixels", pixels, "mask", mask, "noise_mask", true));
            Conditioning p2 = runner.own((Conditioning) conditioned.values().get(0));
            Conditioning n2 = runner.own((Conditioning) conditioned.values().get(1));
            Latent inpaintLatent = runner.own((Latent) conditioned.values().get(2));
            assertTrue(p2.entries().get(0).options().containsKey(InpaintModelConditioning.CONCAT_LATENT_IMAGE));
            assertTrue(inpaintLatent.noiseMask().isPresent());

            Latent plain = runner.own((Latent) runner.runForValue(new dev.easel.nodes.core.sd.VaeEncode(),
                    Map.of("pixels", pixels, "vae", b.vae())));
            Latent masked = runner.own((Latent) runner.runForValue(new SetLatentNoiseMask(),
                    Map.of("samples", plain, "mask", mask)));

            Latent fromInpaint = runner.kSample(i.model(), p2, n2, inpaintLatent, 5, 4, 6.0);
            Latent fromBase = runner.kSample(b.model(), positive, negative, masked, 5, 4, 6.0);
            double diff = fromInpaint.samples().tensor().sub(fromBase.samples().tensor()).abs().max().item()
                    .toDouble();
            assertTrue(diff < 1e-5, "inpainting model with silent extra channels differs by " + diff);
        }
    }

    @Test
    void extraChannelsFollowTheReferenceRules() {
        try (PointerScope scope = new PointerScope()) {
            Tensor latentImage = torch.randn(2, 4, 8, 6);
            // no mask anywhere: ones and the blank (black) image latent
            Tensor none = InpaintConcat.of(Map.of(), latentImage, null, LatentFormat.SD15);
            assertEquals(1.0, none.narrow(1, 0, 1).min().item().toDouble());
            assertEquals(0.8223, none.narrow(1, 1, 1).mean().item().toDouble(), 1e-6);
            assertEquals(-0.6876, none.narrow(1, 2, 1).mean().item().toDouble(), 1e-6);
            // the sampler's noise mask (fractional, latent size) is rounded; the latent image is used as is
            Tensor denoiseMask = torch.full(new long[] {2, 4, 8, 6}, new Scalar(0.4));
            Tensor fromNoise = InpaintConcat.of(Map.of(), latentImage, denoiseMask, LatentFormat.SD15);
            assertEquals(0.0, fromNoise.narrow(1, 0, 1).abs().max().item().toDouble());
            assertTrue(fromNoise.narrow(1, 1, 4).equal(latentImage));
            // InpaintModelConditioning's options win: pixel-size mask resized and rounded, latent scaled into model
            // space and repeated to the batch
            Tensor pixelMask = torch.full(new long[] {1, 1, 64, 48}, new Scalar(0.6));
            Tensor vaeLatent = torch.randn(1, 4, 8, 6);
            Map<String, Object> options = new HashMap<>();
            options.put("concat_mask", TensorRef.of(pixelMask));
            options.put("concat_latent_image", TensorRef.of(vaeLatent));
            Tensor fromOptions = InpaintConcat.of(options, latentImage, denoiseMask, LatentFormat.SD15);
            assertEquals(1.0, fromOptions.narrow(1, 0, 1).min().item().toDouble());
            Tensor expected = vaeLatent.mul(new Scalar(0.18215)).repeat(2, 1, 1, 1);
            assertTrue(fromOptions.narrow(1, 1, 4).sub(expected).abs().max().item().toDouble() < 1e-6);
            ((TensorRef) options.get("concat_mask")).release();
            ((TensorRef) options.get("concat_latent_image")).release();
        }
    }

    private static CheckpointLoading.Parts own(NodeRunner runner, CheckpointLoading.Parts parts) {
        runner.own(parts.model());
        runner.own(parts.clip());
        runner.own(parts.vae());
        return parts;
    }

    /** {@code base} with conv_in widened to 9 input channels, the new ones scaled by {@code extraScale}. */
    static Path widenedCheckpoint(Path base, Path out, double extraScale) throws Exception {
        StateDict all = StateDict.readSafetensors(base, ScalarType.Half);
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String key : all.keys()) {
                tensors.put(key, all.get(key));
            }
            Tensor conv = tensors.get(CONV_IN);
            Tensor extra = torch.randn(conv.size(0), 5, conv.size(2), conv.size(3)).mul(new Scalar(extraScale))
                    .to(ScalarType.Half);
            tensors.put(CONV_IN, torch.cat(new TensorVector(conv, extra), 1));
            SafetensorsWriter.write(out, SafetensorsWriter.referenceOrder(tensors));
        } finally {
            all.release();
        }
        return out;
    }
}
