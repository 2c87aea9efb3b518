package dev.easel.trainer.train;

import dev.easel.nodes.core.vae.LatentFormat;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import dev.easel.trainer.model.Sd1Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Writes the shipped model: the EMA weights of the UNet and text encoder and the frozen VAE of a UNet checkpoint,
 * as one fp16 safetensors file in the SD1.x single-file layout (plus the text encoder's {@code position_ids} buffer,
 * as real SD1.x files have).
 *
 * <p>Loaders apply SD1.x's fixed latent scale 0.18215, while this model was trained with its own (1 / latent std).
 * The difference is folded into the VAE's 1×1 quant convs: the encoder's mean is multiplied by
 * {@code c = scaleFactor / 0.18215} (its log-variance shifted by {@code 2·ln c}) and {@code post_quant_conv} divides
 * its input by {@code c}, so the decoder sees the same latents and {@code 0.18215·z'} equals the training latents.
 */
public final class CheckpointExport {

    private CheckpointExport() {
    }

    /** Exports the UNet checkpoint in {@code unetCheckpoint} to {@code out}; returns the scale factor folded in. */
    public static double export(Path unetCheckpoint, Path out) throws IOException {
        try (Checkpoints.Loaded loaded = Checkpoints.load(unetCheckpoint);
             PointerScope scope = new PointerScope();
             NoGradGuard noGrad = new NoGradGuard()) {
            double scaleFactor = Double.parseDouble(loaded.state().get("scale_factor"));
            Map<String, Tensor> weights = new LinkedHashMap<>(loaded.under(Training.FROZEN));
            weights.putAll(loaded.under(Training.EMA));
            foldScale(weights, scaleFactor / LatentFormat.SD15.scaleFactor());
            Map<String, Tensor> half = new LinkedHashMap<>();
            weights.forEach((name, t) -> half.put(name, t.to(ScalarType.Half).contiguous()));
            half.put(Sd1Layout.POSITION_IDS, torch.arange(new Scalar(77), new TensorOptions(ScalarType.Long))
                    .reshape(1, 77));
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", "easel tiny SD1.x");
            metadata.put("trained_scale_factor", Double.toString(scaleFactor));
            metadata.put("steps", loaded.state().get("step"));
            metadata.put("seed", loaded.state().get("seed"));
            metadata.put("clip_config", loaded.state().get("clip_config"));
            metadata.put("unet_config", loaded.state().get("unet_config"));
            Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            SafetensorsWriter.writeAtomically(out, SafetensorsWriter.referenceOrder(half), metadata);
            return scaleFactor;
        }
    }

    /** Scales the VAE's raw latent by {@code c} without changing what the decoder reconstructs. */
    static void foldScale(Map<String, Tensor> weights, double c) {
        String p = Sd1Layout.VAE_PREFIX;
        Tensor qw = weights.get(p + "quant_conv.weight").clone();
        Tensor qb = weights.get(p + "quant_conv.bias").clone();
        long e = qw.size(0) / 2;
        qw.narrow(0, 0, e).mul_(new Scalar(c));
        qb.narrow(0, 0, e).mul_(new Scalar(c));
        qb.narrow(0, e, e).add_(new Scalar(2 * Math.log(c)));
        Tensor pw = weights.get(p + "post_quant_conv.weight").div(new Scalar(c));
        weights.put(p + "quant_conv.weight", qw);
        weights.put(p + "quant_conv.bias", qb);
        weights.put(p + "post_quant_conv.weight", pw);
    }
}
