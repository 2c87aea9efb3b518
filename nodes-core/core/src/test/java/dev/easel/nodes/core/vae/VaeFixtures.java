package dev.easel.nodes.core.vae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** The public SD reference fixtures (../shared/fixtures, see its README). */
final class VaeFixtures {

    static final String CHECKPOINT = "sd15_tiny_s1234_f16.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private VaeFixtures() {
    }

    static Path dir() {
        return Path.of(System.getProperty("easel.repo.root")).resolve("../shared/fixtures").normalize();
    }

    static JsonNode json(String relative) throws IOException {
        return JSON.readTree(dir().resolve(relative).toFile());
    }

    /** The tiny SD1.5 checkpoint's VAE, float32 weights (the caller releases it). */
    static AutoencoderKL tinyVae() throws IOException {
        Torch.load();
        return AutoencoderKL.load(dir().resolve(CHECKPOINT), ScalarType.Float);
    }

    /** Every tensor of a component case file as float32 copies, in the caller's scope. */
    static Map<String, Tensor> readCase(String file) throws IOException {
        Torch.load();
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(dir().resolve("components").resolve(file))) {
            for (String name : f.names()) {
                out.put(name, f.load(name).to(ScalarType.Float));
            }
        }
        return out;
    }

    static double maxAbs(Tensor t) {
        return t.abs().amax().item().toDouble();
    }

    static double maxAbsDiff(Tensor a, Tensor b) {
        return maxAbs(a.sub(b));
    }

    /** The fixtures' tolerance: {@code 1e-4 · max(1, max|ref|)}. */
    static double tolerance(Tensor ref) {
        return 1e-4 * Math.max(1.0, maxAbs(ref));
    }
}
