package dev.easel.nodes.core.model.files;

import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Writes a checkpoint with every tensor of a key manifest ({@code sd15_keys.tsv}: name, dtype, shape) filled with
 * seeded random weights, float16 (I64 for {@code position_ids}), so that full-size loading can be tested without
 * pretrained files. Scaled so that a forward pass stays finite: matrices and convolution kernels N(0, 1/fan_in),
 * token embedding N(0, 0.02²), position embedding N(0, 0.01²), every 1-D weight (all are norms in SD1.5) 1 and every
 * 1-D bias 0; the DDPM schedule buffers get their real values and {@code position_ids} is {@code arange(77)}.
 *
 * <p>Each tensor gets its own generator seed ({@code seed} and the CRC-32 of its name), so a tensor's values do not
 * depend on the others. The file is written next to its final name and renamed, and is reused when a file with the
 * same manifest, seed and generator version is already there (its {@code __metadata__} records them).
 */
public final class RandomCheckpointWriter {

    /** Bump when the recipe changes, so that files written by an older recipe are rewritten. */
    static final String VERSION = "1";

    /** One manifest line. */
    public record Entry(String name, String dtype, long[] shape) {
    }

    private RandomCheckpointWriter() {
    }

    /**
     * The entries of a manifest: tab-separated name, dtype ({@code F16}, {@code F32}, {@code I64}), shape {@code 4x3x3}
     * ({@code scalar} for a 0-dimensional tensor).
     */
    public static List<Entry> readManifest(Path tsv) throws IOException {
        List<Entry> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#") || line.startsWith("name\t")) {
                continue;
            }
            String[] cols = line.split("\t", -1);
            if (cols.length < 3) {
                throw new IOException(tsv + ":" + lineNo + ": expected name<TAB>dtype<TAB>shape");
            }
            String dims = cols[2].trim();
            long[] shape = dims.isEmpty() || dims.equals("scalar") ? new long[0]
                    : Arrays.stream(dims.split("x")).mapToLong(Long::parseLong).toArray();
            out.add(new Entry(cols[0], cols[1].trim(), shape));
        }
        return out;
    }

    /**
     * {@code out} with the manifest's tensors, written unless an identical one (same manifest, seed and version) is
     * already there. Peak memory: the float16 file once, plus one tensor in float32.
     *
     * @return {@code out}
     */
    public static Path write(Path manifest, Path out, long seed) throws IOException {
        String manifestCrc = Long.toHexString(crc32(Files.readString(manifest)));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("easel.random_checkpoint", "v" + VERSION + " seed " + seed + " manifest " + manifestCrc);
        if (Files.isRegularFile(out)) {
            try (SafetensorsFile existing = SafetensorsFile.open(out)) {
                if (metadata.equals(existing.metadata())) {
                    return out;
                }
            } catch (IOException e) {
                // rewrite it
            }
        }
        Torch.load();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Path temporary = out.resolveSibling(out.getFileName() + ".tmp");
        try (PointerScope scope = new PointerScope()) {
            for (Entry e : readManifest(manifest)) {
                tensors.put(e.name(), tensor(e, seed));
            }
            SafetensorsWriter.write(temporary, SafetensorsWriter.referenceOrder(tensors), metadata);
        }
        Files.move(temporary, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return out;
    }

    private static Tensor tensor(Entry e, long seed) {
        ScalarType dtype = switch (e.dtype()) {
            case "F16" -> ScalarType.Half;
            case "F32" -> ScalarType.Float;
            case "BF16" -> ScalarType.BFloat16;
            case "I64" -> ScalarType.Long;
            default -> throw new IllegalArgumentException(e.name() + ": unsupported dtype " + e.dtype());
        };
        String name = e.name();
        long[] shape = e.shape();
        if (dtype == ScalarType.Long) {
            long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            return torch.arange(new Scalar(n), new TensorOptions(ScalarType.Long)).reshape(shape);
        }
        Tensor schedule = scheduleBuffer(name);
        if (schedule != null) {
            return schedule.to(dtype);
        }
        return returnToCaller(() -> {
            Tensor result;
            if (shape.length <= 1) {
                result = name.endsWith(".weight") ? torch.ones(shape, new TensorOptions(dtype))
                        : torch.zeros(shape, new TensorOptions(dtype));
            } else {
                double scale;
                if (name.endsWith("token_embedding.weight")) {
                    scale = 0.02;
                } else if (name.endsWith("position_embedding.weight")) {
                    scale = 0.01;
                } else {
                    long fanIn = 1;
                    for (int i = 1; i < shape.length; i++) {
                        fanIn *= shape[i];
                    }
                    scale = 1.0 / Math.sqrt(fanIn);
                }
                torch.manual_seed(seed * 0x9E3779B97F4A7C15L + crc32(name));
                result = torch.randn(shape).mul_(new Scalar(scale)).to(dtype);
            }
            return result;
        });
    }

    /** The LDM "linear" schedule buffers (1000 steps, β from 0.00085 to 0.012), or null for any other name. */
    private static Tensor scheduleBuffer(String name) {
        return returnToCaller(() -> {
            TensorOptions f64 = new TensorOptions(ScalarType.Double);
            Tensor betas = torch.linspace(new Scalar(Math.sqrt(0.00085)), new Scalar(Math.sqrt(0.012)), 1000, f64)
                    .pow(new Scalar(2.0));
            Tensor alphas = torch.ones(new long[] {1000}, f64).sub(betas);
            Tensor cumprod = alphas.cumprod(0, new ScalarTypeOptional());
            Tensor prev = torch.ones(new long[] {1000}, f64);
            prev.narrow(0, 1, 999).copy_(cumprod.narrow(0, 0, 999));
            Tensor one = torch.ones(new long[] {1000}, f64);
            Tensor variance = betas.mul(one.sub(prev)).div(one.sub(cumprod));
            Tensor clipped = variance.clone(); // log of variance with its first entry (0) replaced by the second
            clipped.narrow(0, 0, 1).copy_(variance.narrow(0, 1, 1));
            Tensor t = switch (name) {
                case "betas" -> betas;
                case "alphas_cumprod" -> cumprod;
                case "alphas_cumprod_prev" -> prev;
                case "sqrt_alphas_cumprod" -> cumprod.sqrt();
                case "sqrt_one_minus_alphas_cumprod" -> one.sub(cumprod).sqrt();
                case "log_one_minus_alphas_cumprod" -> one.sub(cumprod).log();
                case "sqrt_recip_alphas_cumprod" -> cumprod.reciprocal().sqrt();
                case "sqrt_recipm1_alphas_cumprod" -> cumprod.reciprocal().sub(one).sqrt();
                case "posterior_variance" -> variance;
                case "posterior_log_variance_clipped" -> clipped.log();
                case "posterior_mean_coef1" -> betas.mul(prev.sqrt()).div(one.sub(cumprod));
                case "posterior_mean_coef2" -> one.sub(prev).mul(alphas.sqrt()).div(one.sub(cumprod));
                default -> null;
            };
            return t;
        });
    }

    /**
     * Runs {@code body} in a private scope (freeing its temporaries) and returns its result, or null, as a wrapper of
     * the caller's scope.
     */
    private static Tensor returnToCaller(Supplier<Tensor> body) {
        Tensor inner;
        try (PointerScope scope = new PointerScope()) {
            inner = body.get();
            if (inner == null) {
                return null;
            }
            inner.retainReference();
        }
        try {
            return new Tensor(inner); // shares the TensorImpl
        } finally {
            inner.releaseReference();
        }
    }

    private static long crc32(String s) {
        CRC32 crc = new CRC32();
        crc.update(s.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }
}
