package dev.easel.nodes.core.controlnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** The public ControlNet reference fixtures ({@code ../shared/fixtures/controlnet}, see its README). */
final class ControlNetFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Largest max-error / tolerance ratio per case and output, collected for the report. */
    static final Map<String, String> ERRORS = new LinkedHashMap<>();

    private ControlNetFixtures() {
    }

    static Path fixtures() {
        return Path.of(System.getProperty("easel.repo.root")).resolve("../shared/fixtures").normalize();
    }

    static Path file(String name) {
        return fixtures().resolve("controlnet").resolve(name);
    }

    static Path checkpoint() {
        return fixtures().resolve("sd15_tiny_s1234_f16.safetensors");
    }

    static Path controlNet() throws IOException {
        return file(index().get("controlnet").asText());
    }

    static JsonNode index() throws IOException {
        return JSON.readTree(file("index.json").toFile());
    }

    static List<JsonNode> cases() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        index().get("cases").forEach(out::add);
        return out;
    }

    static JsonNode caseNamed(String name) throws IOException {
        return cases().stream().filter(c -> c.get("case").asText().equals(name)).findFirst().orElseThrow();
    }

    /** Every tensor of a case file as float32, owned by the caller's scope. */
    static Map<String, Tensor> tensors(JsonNode c) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file(c.get("file").asText()))) {
            for (String name : f.names()) {
                out.put(name, f.load(name).to(ScalarType.Float));
            }
        }
        return out;
    }

    /** Asserts the fixture tolerance {@code max|a − b| ≤ 1e-4 · max(1, max|ref|)} and records the error. */
    static void assertClose(Tensor expected, Tensor actual, String what) {
        if (!java.util.Arrays.equals(expected.shape(), actual.shape())) {
            throw new AssertionError(what + ": shape " + java.util.Arrays.toString(actual.shape()) + ", expected "
                    + java.util.Arrays.toString(expected.shape()));
        }
        double tolerance = 1e-4 * Math.max(1, expected.abs().max().item().toDouble());
        double error = actual.to(ScalarType.Float).sub(expected).abs().max().item().toDouble();
        synchronized (ERRORS) {
            ERRORS.put(what, String.format("%.3g (tolerance %.3g)", error, tolerance));
        }
        if (!(error <= tolerance)) {
            throw new AssertionError(what + ": max |diff| " + error + " > " + tolerance);
        }
    }
}
