package dev.easel.nodes.core.sampling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.node.Folders;
import dev.easel.node.Node;
import dev.easel.node.NodeEnvironment;
import dev.easel.node.NodeOutput;
import dev.easel.nodes.core.CoreNodePack;
import dev.easel.engine.models.FolderModelLibrary;
import dev.easel.engine.models.ModelFolders;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.value.Latent;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference's end-to-end workflows ({@code ../shared/fixtures/workflows/wf_*}: SD1.5, SDXL with
 * CLIPTextEncodeSDXL, SD2 v-prediction): each API-format prompt runs node by node through the core pack (checkpoint,
 * prompts, latent, LoadImage, SetLatentNoiseMask, KSampler, VAEDecode), and the KSampler latent and the decoded image
 * must match the recorded ones (latent 1e-3·max(1, max|ref|), image 2e-3). The server test runs them through
 * {@code /prompt}.
 */
class SdWorkflowFixtureTest {

    private static final Path WORKFLOWS = SamplerFixtures.dir().resolve("workflows");

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> referenceWorkflows() throws Exception {
        JsonNode index = new ObjectMapper().readTree(WORKFLOWS.resolve("index.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : index.get("cases")) {
            String name = c.get("case").asText();
            if (name.startsWith("wf_")) {
                tests.add(DynamicTest.dynamicTest(name, () -> check(c)));
            }
        }
        return tests.stream();
    }

    private void check(JsonNode c) throws Exception {
        Path root = Files.createTempDirectory(dir, c.get("case").asText());
        Path checkpoints = Files.createDirectories(root.resolve("models/checkpoints"));
        String ckpt = c.get("files").get("ckpt_name").asText();
        Files.createSymbolicLink(checkpoints.resolve(ckpt), checkpoint(ckpt));
        FakeNodeContext context = new FakeNodeContext(root);
        if (c.get("files").has("image")) {
            String image = c.get("files").get("image").asText();
            Files.copy(WORKFLOWS.resolve(image), root.resolve("input").resolve(image));
        }
        Folders folders = context.folders();
        Map<String, Node> nodes = new HashMap<>();
        for (Node n : new CoreNodePack().nodes(
                new NodeEnvironment(folders, new FolderModelLibrary(new ModelFolders(root))))) {
            nodes.put(n.schema().name(), n);
        }
        JsonNode prompt = new ObjectMapper().readTree(WORKFLOWS.resolve(c.get("prompt_file").asText()).toFile());
        try (NodeRunner runner = new NodeRunner(context);
                SafetensorsFile ref = SafetensorsFile.open(WORKFLOWS.resolve(c.get("file").asText()));
                PointerScope scope = new PointerScope()) {
            Map<String, NodeOutput> done = new HashMap<>();
            String latentNode = c.get("output_nodes").get("latent").asText();
            String imageNode = c.get("output_nodes").get("image").asText();
            Latent latent = (Latent) run(latentNode, prompt, nodes, runner, done).values().get(0);
            TensorRef image = (TensorRef) run(imageNode, prompt, nodes, runner, done).values().get(0);

            Tensor expectedLatent = ref.load("out/latent");
            double latentTol = 10 * SamplerFixtures.tolerance(expectedLatent); // 1e-3 · max(1, max|ref|)
            double latentErr = SamplerFixtures.maxAbsDiff(latent.samples().tensor(), expectedLatent);
            assertTrue(latentErr <= latentTol, c.get("case").asText() + ": latent differs by " + latentErr);
            double imageErr = SamplerFixtures.maxAbsDiff(image.tensor(), ref.load("out/image"));
            assertTrue(imageErr <= 2e-3, c.get("case").asText() + ": image differs by " + imageErr);
        }
    }

    /** A fixture checkpoint: SD1.5's is in the fixtures folder, the others in their family's sub-folder. */
    static Path checkpoint(String name) {
        for (String folder : List.of("", "sdxl/", "sd2/")) {
            Path p = SamplerFixtures.dir().resolve(folder + name);
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new IllegalStateException("no fixture checkpoint " + name);
    }

    /** Runs node {@code id} after its inputs (memoised), as the engine would. */
    private static NodeOutput run(String id, JsonNode prompt, Map<String, Node> nodes, NodeRunner runner,
            Map<String, NodeOutput> done) throws Exception {
        if (done.containsKey(id)) {
            return done.get(id);
        }
        JsonNode spec = prompt.get(id);
        Map<String, Object> inputs = new LinkedHashMap<>();
        var fields = spec.get("inputs").fields();
        while (fields.hasNext()) {
            var field = fields.next();
            JsonNode v = field.getValue();
            if (v.isArray() && v.size() == 2 && v.get(0).isTextual() && v.get(1).isInt()) {
                inputs.put(field.getKey(), run(v.get(0).asText(), prompt, nodes, runner, done).values()
                        .get(v.get(1).asInt()));
            } else if (v.isIntegralNumber()) {
                inputs.put(field.getKey(), v.asLong());
            } else if (v.isNumber()) {
                inputs.put(field.getKey(), v.asDouble());
            } else if (v.isBoolean()) {
                inputs.put(field.getKey(), v.asBoolean());
            } else {
                inputs.put(field.getKey(), v.asText());
            }
        }
        NodeOutput out = runner.run(nodes.get(spec.get("class_type").asText()), inputs);
        done.put(id, out);
        return out;
    }
}
