package dev.easel.nodes.core.sampling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.nodes.core.sampling.analytic.GaussianMixtureDenoiser;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The sampler fixtures ({@code ../shared/fixtures/samplers.safetensors} + {@code samplers.json}, conventions in the
 * README there): cases, tensors, and the Gaussian-mixture guided denoiser they were recorded with.
 */
public final class SamplerFixtures implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SafetensorsFile file;
    private final JsonNode index;

    private SamplerFixtures(SafetensorsFile file, JsonNode index) {
        this.file = file;
        this.index = index;
    }

    public static Path dir() {
        return Path.of(System.getProperty("easel.repo.root")).resolve("../shared/fixtures").normalize();
    }

    public static SamplerFixtures open() {
        Torch.load();
        try {
            return new SamplerFixtures(SafetensorsFile.open(dir().resolve("samplers.safetensors")),
                    JSON.readTree(dir().resolve("samplers.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The case descriptions of {@code samplers.json} ("cases"). */
    public static List<JsonNode> cases() {
        return list("cases");
    }

    /** The scheduler tables' descriptions ("sigma_tables"). */
    public static List<JsonNode> sigmaTables() {
        return list("sigma_tables");
    }

    private static List<JsonNode> list(String field) {
        try {
            List<JsonNode> out = new ArrayList<>();
            JSON.readTree(dir().resolve("samplers.json").toFile()).get(field).forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public JsonNode index() {
        return index;
    }

    public boolean has(String name) {
        return file.contains(name);
    }

    /** A fixture tensor (float32 stays float32, float64 stays float64), in the caller's scope. */
    public Tensor tensor(String name) {
        try {
            return file.load(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public double[] doubles(String name) {
        Tensor t = tensor(name).to(ScalarType.Double).contiguous();
        double[] out = new double[(int) t.numel()];
        t.data_ptr_double().get(out);
        return out;
    }

    public long[] longs(String name) {
        Tensor t = tensor(name).to(ScalarType.Long).contiguous();
        long[] out = new long[(int) t.numel()];
        t.data_ptr_long().get(out);
        return out;
    }

    /** The mixture {@code gmm/<branch>} (branch = cond | uncond); the caller closes it. */
    public GaussianMixtureDenoiser mixture(String branch) {
        String p = "gmm/" + branch + "/";
        return new GaussianMixtureDenoiser(tensor(p + "means"), tensor(p + "s2"), tensor(p + "logw"));
    }

    /**
     * The guided denoiser of the fixtures: cfg 1 → D_cond (the unconditional branch is evaluated only for samplers
     * that step along it, else reported as zeros, as the reference does); else D_uncond + (D_cond − D_uncond)·cfg.
     */
    public static Denoiser guided(GaussianMixtureDenoiser cond, GaussianMixtureDenoiser uncond, double cfg,
            boolean needsUncond) {
        return (x, sigma) -> {
            if (cfg == 1.0) {
                Tensor u = needsUncond ? uncond.denoise(x, sigma) : torch.zeros_like(x);
                return new Prediction(cond.denoise(x, sigma), u);
            }
            Tensor c = cond.denoise(x, sigma);
            Tensor u = uncond.denoise(x, sigma);
            return new Prediction(u.add(c.sub(u).mul(new Scalar(cfg))), u);
        };
    }

    /**
     * Noise that returns {@code inputs/noise_table[n]} on the n-th request, whatever σ it is asked for. Usable while
     * the caller's scope lives.
     */
    public NoiseSource injectedNoise() {
        Tensor table = tensor("inputs/noise_table");
        int[] n = {0};
        return (sigma, sigmaNext) -> table.get(n[0]++).clone();
    }

    /** {@code max|a − b|}. */
    public static double maxAbsDiff(Tensor a, Tensor b) {
        return a.to(ScalarType.Double).sub(b.to(ScalarType.Double)).abs().max().item().toDouble();
    }

    /** The trajectories' tolerance: {@code 1e-4 · max(1, max|ref|)}. */
    public static double tolerance(Tensor ref) {
        return 1e-4 * Math.max(1.0, ref.abs().max().item().toDouble());
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
