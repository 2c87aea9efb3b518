package dev.easel.trainer.data;

import dev.easel.nodes.core.clip.ClipTextModel;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.vae.AutoencoderKL;
import dev.easel.runtime.Torch;
import dev.easel.trainer.model.ModelParameters;
import dev.easel.trainer.model.Sd1Layout;
import dev.easel.trainer.model.TinySdConfig;
import dev.easel.trainer.train.Batch;
import dev.easel.trainer.train.Captions;
import dev.easel.trainer.train.EncodedLatents;
import dev.easel.trainer.train.LatentSource;
import dev.easel.trainer.train.Posterior;
import dev.easel.trainer.train.SyntheticShapes;
import dev.easel.trainer.train.TensorDigest;
import dev.easel.trainer.train.TrainSettings;
import dev.easel.trainer.train.UNetTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Not a test: steps/s of the shipped model's UNet + text encoder training step (TinySdConfig.DEFAULT), latents
 * encoded per step (the old path) against read from the latent cache, interleaved in one process so that outside
 * load hits both alike; plus the parts (VAE encode, text encoder forward + backward). Weights are fresh: the cost
 * does not depend on their values. Run: {@code java -cp ... dev.easel.trainer.data.UNetStepBenchmark threads batch
 * rounds steps}.
 */
public final class UNetStepBenchmark {

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        int batch = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int steps = Integer.parseInt(args[3]);
        Torch.load();
        torch.set_num_threads(threads);
        openblas_full.openblas_set_num_threads(1);
        TinySdConfig config = TinySdConfig.DEFAULT;
        Path dir = Files.createTempDirectory("unet-bench");
        try (ModelParameters vaeWeights = ModelParameters.fresh(Sd1Layout.vae(config.vae()), 1);
             EmojiDataset data = shapes(256)) {
            StateDict view = vaeWeights.view(Sd1Layout.VAE_PREFIX);
            AutoencoderKL vae = AutoencoderKL.of(view);
            view.release();
            try (CachedLatents cached = LatentCache.loadOrBuild(dir.resolve(LatentCache.FILE_NAME), data, vae,
                    TensorDigest.of(vaeWeights.tensors()), 1, System.out);
                 LatentSource encoded = new EncodedLatents(new EmojiBatches(shapes(256), 1), vae);
                 UNetTraining a = new UNetTraining(config.clip(), config.unet(), vaeWeights.tensors(), 1.0,
                         TrainSettings.of(1, 1e-4));
                 UNetTraining b = new UNetTraining(config.clip(), config.unet(), vaeWeights.tensors(), 1.0,
                         TrainSettings.of(1, 1e-4))) {
                step(a, encoded, batch);
                step(b, cached, batch); // warm-up
                double tEncoded = 0;
                double tCached = 0;
                for (int r = 0; r < rounds; r++) {
                    tEncoded += time(() -> step(a, encoded, batch), steps);
                    tCached += time(() -> step(b, cached, batch), steps);
                }
                double encodeOnly = time(() -> {
                    try (PointerScope s = new PointerScope()) {
                        Posterior.encode(vae, data.batch(range(batch)));
                    }
                }, steps);
                double text = textEncoder(config, batch, steps);
                int n = rounds * steps;
                System.out.printf("threads %d batch %d: per step encoded %.0f ms (%.2f it/s), cached %.0f ms "
                        + "(%.2f it/s), ratio %.2fx; VAE encode alone %.0f ms; text encoder fwd+bwd %.0f ms%n",
                        threads, batch, 1000 * tEncoded / n, n / tEncoded, 1000 * tCached / n, n / tCached,
                        tEncoded / tCached, 1000 * encodeOnly / steps, 1000 * text / steps);
            } finally {
                vae.release();
            }
        }
    }

    /** Seconds for {@code count} runs of {@code body}. */
    private static double time(Runnable body, int count) {
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            body.run();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static void step(UNetTraining t, LatentSource source, int batch) {
        try (PointerScope scope = new PointerScope()) {
            t.step(source.batch(t.steps(), batch));
        }
    }

    /** Seconds for {@code count} text encoder forward + backward passes on 77 tokens. */
    private static double textEncoder(TinySdConfig config, int batch, int count) {
        try (ModelParameters p = ModelParameters.fresh(Sd1Layout.clip(config.clip()), 2)) {
            ClipTextModel clip = new ClipTextModel(p.view(Sd1Layout.CLIP_PREFIX), config.clip());
            try {
                List<String> captions = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    captions.add("grinning face with smiling eyes " + i + ", google style");
                }
                return time(() -> {
                    try (PointerScope s = new PointerScope()) {
                        clip.forward(Captions.tokens(captions), -1, true).last().sum().backward();
                    }
                }, count);
            } finally {
                clip.release();
            }
        }
    }

    private static long[] range(int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    private static EmojiDataset shapes(int count) {
        try (PointerScope scope = new PointerScope()) {
            Batch batch = new SyntheticShapes(5).batch(0, count);
            List<EmojiEntry> entries = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                entries.add(new EmojiEntry(EmojiSet.GOOGLE, i + ".png", batch.captions().get(i), "", "Shapes"));
            }
            Tensor bytes = batch.images().add(new Scalar(1.0)).mul(new Scalar(127.5)).round().to(ScalarType.Byte);
            bytes.retainReference();
            return new EmojiDataset(entries, bytes);
        }
    }

    private UNetStepBenchmark() {
    }
}
