package dev.easel.nodes.core.controlnet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.models.FolderModelLibrary;
import dev.easel.engine.models.ModelFolders;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.sampling.guidance.CfgGuider;
import dev.easel.nodes.core.sampling.guidance.Guider;
import dev.easel.nodes.core.sd.CheckpointLoading;
import dev.easel.nodes.core.sd.ClipTextEncode;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.testing.ReferenceCase;
import dev.easel.nodes.core.unet.BlockId;
import dev.easel.nodes.core.unet.UNetPatches;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ControlNet on SDXL (no reference fixture: the ControlNet is made here from the tiny SDXL UNet's own encoder,
 * {@code label_emb} included, with a silent hint encoder and identity zero convolutions). Such a ControlNet's residual
 * at input block i is exactly strength × the UNet's own skip i (and likewise for the middle block), so its guided
 * prediction must equal the plain model's with every skip and the middle output scaled by (1 + strength) — which
 * holds only if the ControlNet got the same x·c_in, timestep, context and SDXL {@code y} as the UNet.
 */
class ControlNetSdxlTest {

    private static final String UNET = "model.diffusion_model.";
    private static final int[] HINT_CHANNELS = {3, 16, 16, 32, 32, 96, 96, 256};

    @TempDir
    Path dir;

    @Test
    void sdxlControlNetSeesTheUNetsInputsIncludingY() throws Exception {
        Path checkpoint = ReferenceCase.fixtures().resolve("sdxl/sdxl_tiny_s2301_f16.safetensors");
        writeEchoControlNet(checkpoint, Files.createDirectories(dir.resolve("models/controlnet"))
                .resolve("xl_echo.safetensors"));
        FolderModelLibrary models = new FolderModelLibrary(new ModelFolders(dir));
        double strength = 0.35;
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            CheckpointLoading.Parts parts = CheckpointLoading.load(checkpoint, ScalarType.Float);
            runner.own(parts.model());
            runner.own(parts.clip());
            runner.own(parts.vae());
            Conditioning positive = runner.own((Conditioning) runner.runForValue(new ClipTextEncode(),
                    Map.of("text", "a lighthouse at dusk", "clip", parts.clip())));
            Conditioning negative = runner.own((Conditioning) runner.runForValue(new ClipTextEncode(),
                    Map.of("text", "blurry", "clip", parts.clip())));
            ControlNetModel net = runner.own((ControlNetModel) runner.runForValue(new ControlNetLoader(models),
                    Map.of("control_net_name", "xl_echo.safetensors")));
            TensorRef hint = runner.own(TensorRef.of(torch.rand(1, 64, 48, 3)));
            var applied = runner.run(ControlNetApply.advanced(), Map.of("positive", positive, "negative", negative,
                    "control_net", net, "image", hint, "strength", strength, "start_percent", 0.0,
                    "end_percent", 1.0));

            torch.manual_seed(4);
            Tensor x = torch.randn(1, 4, 8, 6).mul(new Scalar(3.0));
            double sigma = 3.0;
            CfgGuider controlled = new CfgGuider(parts.model(), (Conditioning) applied.values().get(0),
                    (Conditioning) applied.values().get(1), 5.0);
            CfgGuider plain = new CfgGuider(parts.model(), positive, negative, 5.0);
            try {
                Tensor withControl = controlled.denoiser(false).denoise(x, sigma);
                UNetPatches scaled = UNetPatches.builder()
                        .skip((inputBlock, outputBlock, skip, fc) -> skip.mul(new Scalar(1 + strength)))
                        .block(BlockId.MIDDLE, call -> call.proceed().mul(new Scalar(1 + strength)))
                        .build();
                Tensor expected = plain.denoiser(false, Guider.SampledLatent.NONE, scaled).predict(x, sigma)
                        .denoised();
                Tensor without = plain.denoiser(false).denoise(x, sigma);
                double error = withControl.sub(expected).abs().max().item().toDouble();
                double effect = withControl.sub(without).abs().max().item().toDouble();
                System.out.printf("[controlnet sdxl] max|controlled - scaled skips| = %.3e, effect %.3e%n", error,
                        effect);
                assertTrue(effect > 1e-3, "the ControlNet changes the prediction (" + effect + ")");
                assertTrue(error <= 1e-4 * Math.max(1, expected.abs().max().item().toDouble()),
                        "controlled prediction differs from the scaled-skip one by " + error);
            } finally {
                controlled.release();
                plain.release();
            }
        }
    }

    /** The UNet's encoder as a ControlNet ({@code control_model.*}): silent hint block, identity zero convs. */
    private static void writeEchoControlNet(Path checkpoint, Path out) throws Exception {
        StateDict all = StateDict.readSafetensors(checkpoint, ScalarType.Float);
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            int inputBlocks = 0;
            for (String key : all.keys()) {
                if (!key.startsWith(UNET)) {
                    continue;
                }
                String rest = key.substring(UNET.length());
                if (rest.startsWith("time_embed.") || rest.startsWith("label_emb.") || rest.startsWith("input_blocks.")
                        || rest.startsWith("middle_block.")) {
                    tensors.put("control_model." + rest, all.get(key));
                }
                if (rest.startsWith("input_blocks.")) {
                    inputBlocks = Math.max(inputBlocks, Integer.parseInt(rest.split("\\.")[1]) + 1);
                }
            }
            long channels = all.get(UNET + "input_blocks.0.0.weight").size(0);
            torch.manual_seed(2);
            for (int k = 0; k < HINT_CHANNELS.length; k++) {
                long in = HINT_CHANNELS[k];
                long outChannels = k + 1 < HINT_CHANNELS.length ? HINT_CHANNELS[k + 1] : channels;
                boolean last = k == HINT_CHANNELS.length - 1;
                Tensor w = torch.randn(outChannels, in, 3, 3).mul(new Scalar(last ? 0.0 : 0.1));
                tensors.put("control_model.input_hint_block." + 2 * k + ".weight", w);
                tensors.put("control_model.input_hint_block." + 2 * k + ".bias", torch.zeros(outChannels));
            }
            Tensor identity = torch.eye(channels).reshape(channels, channels, 1, 1);
            for (int i = 0; i < inputBlocks; i++) {
                String p = UNET + "input_blocks." + i + ".0.";
                String widthKey = i == 0 ? p + "weight" : all.has(p + "op.weight") ? p + "op.weight"
                        : p + "out_layers.3.weight";
                long c = all.get(widthKey).size(0);
                tensors.put("control_model.zero_convs." + i + ".0.weight", torch.eye(c).reshape(c, c, 1, 1));
                tensors.put("control_model.zero_convs." + i + ".0.bias", torch.zeros(c));
            }
            tensors.put("control_model.middle_block_out.0.weight", identity);
            tensors.put("control_model.middle_block_out.0.bias", torch.zeros(channels));
            SafetensorsWriter.write(out, SafetensorsWriter.referenceOrder(tensors));
        } finally {
            all.release();
        }
    }
}
