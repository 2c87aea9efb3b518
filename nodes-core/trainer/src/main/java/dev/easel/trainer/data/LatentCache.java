package dev.easel.trainer.data;

import dev.easel.nodes.core.vae.AutoencoderKL;
import dev.easel.runtime.safetensors.SafetensorsFile;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import dev.easel.trainer.train.Posterior;
import dev.easel.trainer.train.TensorDigest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.LongStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The frozen VAE's posterior of every training image, encoded once so UNet training does not run the encoder at
 * every step (it cost as much as the UNet step). One safetensors file next to the UNet run with float32
 * {@code mean} and {@code std} {@code [N, C, h, w]} (~2 KB per image) and, in its metadata, what it was made from:
 * the VAE's {@link TensorDigest} and the data set's (images and captions). A file whose VAE or data differ, or that
 * cannot be read, is rebuilt; it is written atomically.
 */
public final class LatentCache {

    /** The cache's file name in the UNet run's folder. */
    public static final String FILE_NAME = "latents.safetensors";

    /** Changes when the layout or the posterior's definition changes, so that an old cache is rebuilt. */
    static final String FORMAT = "easel-latent-cache/1";

    private static final String MEAN = "mean";
    private static final String STD = "std";
    /** Images per encoder call while building. */
    private static final int CHUNK = 64;

    private LatentCache() {
    }

    /**
     * The posteriors of {@code dataset} under {@code vae} (whose weights hash to {@code vaeDigest}) as a latent source
     * with {@code dataset}'s captions and the epoch order of {@code seed}: read from {@code file} when it was made
     * from this VAE and data, otherwise encoded now and written there. The caller keeps {@code dataset}.
     */
    public static CachedLatents loadOrBuild(Path file, EmojiDataset dataset, AutoencoderKL vae, String vaeDigest,
            long seed, PrintStream log) throws IOException {
        String dataDigest = digest(dataset);
        if (isCurrent(file, vaeDigest, dataDigest)) {
            return read(file, dataset, seed);
        }
        log.printf("encoding %,d images with the frozen VAE into %s%n", dataset.size(), file);
        Tensor[] posterior = encode(dataset, vae, log);
        try (PointerScope scope = new PointerScope()) {
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", FORMAT);
            metadata.put("vae_sha256", vaeDigest);
            metadata.put("data_sha256", dataDigest);
            metadata.put("count", Integer.toString(dataset.size()));
            Files.createDirectories(file.toAbsolutePath().getParent());
            SafetensorsWriter.writeAtomically(file, Map.of(MEAN, posterior[0], STD, posterior[1]), metadata);
        } catch (IOException | RuntimeException e) {
            posterior[0].releaseReference();
            posterior[1].releaseReference();
            throw e;
        }
        return new CachedLatents(posterior[0], posterior[1], dataset.captions(), seed);
    }

    /** True when {@code file} is a cache of this format made from the VAE and data with these digests. */
    public static boolean isCurrent(Path file, String vaeDigest, String dataDigest) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> m = f.metadata();
            return FORMAT.equals(m.get("format")) && vaeDigest.equals(m.get("vae_sha256"))
                    && dataDigest.equals(m.get("data_sha256")) && f.contains(MEAN) && f.contains(STD);
        } catch (IOException e) {
            return false; // unreadable: rebuild it
        }
    }

    /** The identity of a data set: SHA-256 over its uint8 images and its captions, in order. */
    public static String digest(EmojiDataset dataset) {
        MessageDigest md = TensorDigest.sha256();
        TensorDigest.update(md, dataset.images());
        for (String caption : dataset.captions()) {
            md.update(caption.getBytes(StandardCharsets.UTF_8));
            md.update((byte) '\n');
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Mean and std {@code [N, C, h, w]} of every image, each with one reference the caller owns. */
    private static Tensor[] encode(EmojiDataset dataset, AutoencoderKL vae, PrintStream log) {
        int n = dataset.size();
        int c = vae.config().embedDim();
        long h = EmojiImages.SIZE / vae.downscaleRatio();
        long[] shape = {n, c, h, h};
        Tensor mean = OwnedTensors.owned(() -> torch.empty(shape, new TensorOptions(ScalarType.Float),
                new MemoryFormatOptional()));
        Tensor std = OwnedTensors.owned(() -> torch.empty(shape, new TensorOptions(ScalarType.Float),
                new MemoryFormatOptional()));
        long started = System.nanoTime();
        for (int from = 0; from < n; from += CHUNK) {
            int count = Math.min(CHUNK, n - from);
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                Posterior p = Posterior.encode(vae, dataset.batch(LongStream.range(from, from + count).toArray()));
                mean.narrow(0, from, count).copy_(p.mean());
                std.narrow(0, from, count).copy_(p.std());
            }
            if ((from / CHUNK) % 16 == 15 || from + count == n) {
                log.printf("  %,d / %,d images (%.0f s)%n", from + count, n, (System.nanoTime() - started) / 1e9);
            }
        }
        return new Tensor[] {mean, std};
    }

    private static CachedLatents read(Path file, EmojiDataset dataset, long seed) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
            Tensor mean = f.load(MEAN);
            Tensor std = f.load(STD);
            if (mean.size(0) != dataset.size() || std.size(0) != dataset.size()) {
                throw new IOException(file + ": " + mean.size(0) + " latents for " + dataset.size() + " images");
            }
            mean.retainReference(); // handed to the CachedLatents, past this scope
            std.retainReference();
            return new CachedLatents(mean, std, dataset.captions(), seed);
        }
    }
}
