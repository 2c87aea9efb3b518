package dev.easel.nodes.core.sd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.model.files.UnsupportedModelException;
import dev.easel.runtime.safetensors.SafetensorsFile;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken checkpoint files give errors that name the file and the weight. */
class BadCheckpointTest {

    private static final Path TINY = Path.of(System.getProperty("easel.repo.root", "."))
            .resolve("../shared/fixtures/sd15_tiny_s1234_f16.safetensors").normalize();

    @TempDir
    Path dir;

    /** The tiny checkpoint with one tensor replaced (or removed when {@code replacement} is null). */
    private Path variant(String name, String key, java.util.function.Function<Tensor, Tensor> replacement)
            throws Exception {
        Path out = dir.resolve(name);
        try (SafetensorsFile in = SafetensorsFile.open(TINY); PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String n : in.names()) {
                Tensor t = in.load(n);
                if (n.equals(key)) {
                    t = replacement == null ? null : replacement.apply(t);
                }
                if (t != null) {
                    tensors.put(n, t);
                }
            }
            SafetensorsWriter.write(out, tensors, in.metadata());
        }
        return out;
    }

    @Test
    void aMissingWeightNamesTheFileAndTheKey() throws Exception {
        String key = "model.diffusion_model.input_blocks.1.0.in_layers.2.weight";
        Path file = variant("missing.safetensors", key, null);
        Exception e = assertThrows(Exception.class, () -> CheckpointLoading.load(file, ScalarType.Float));
        assertTrue(e.getMessage().contains("missing.safetensors") && e.getMessage().contains("in_layers.2.weight"),
                e.getMessage());
    }

    @Test
    void aWeightOfTheWrongShapeNamesTheFileAndTheKey() throws Exception {
        String key = "model.diffusion_model.input_blocks.1.0.in_layers.2.weight";
        Path file = variant("shape.safetensors", key, t -> torch.zeros(t.size(0), t.size(1) + 1, 3, 3)
                .to(t.scalar_type()));
        Exception e = assertThrows(Exception.class, () -> CheckpointLoading.load(file, ScalarType.Float));
        assertTrue(e.getMessage().contains("shape.safetensors") && e.getMessage().contains("in_layers.2.weight"),
                e.getMessage());
    }

    /** The text encoder and VAE probes run on a helper thread: their errors name the weight all the same. */
    @Test
    void wrongShapesInTheTextEncoderAndTheVaeNameTheFileAndTheLayer() throws Exception {
        String clipKey = "cond_stage_model.transformer.text_model.encoder.layers.0.mlp.fc1.weight";
        Path clip = variant("clip.safetensors", clipKey, t -> torch.zeros(t.size(0), t.size(1) + 1)
                .to(t.scalar_type()));
        Exception e = assertThrows(Exception.class, () -> CheckpointLoading.load(clip, ScalarType.Float));
        assertTrue(e.getMessage().contains("clip.safetensors") && e.getMessage().contains("layers.0.mlp.fc1"),
                e.getMessage());

        String vaeKey = "first_stage_model.decoder.mid.block_1.conv1.weight";
        Path vae = variant("vae.safetensors", vaeKey, t -> torch.zeros(t.size(0), t.size(1) + 1, 3, 3)
                .to(t.scalar_type()));
        e = assertThrows(Exception.class, () -> CheckpointLoading.load(vae, ScalarType.Float));
        assertTrue(e.getMessage().contains("vae.safetensors") && e.getMessage().contains("mid.block_1.conv1"),
                e.getMessage());
    }

    @Test
    void aTruncatedFileAndAnUnknownArchitectureAreClearErrors() throws Exception {
        Path truncated = dir.resolve("truncated.safetensors");
        byte[] bytes = Files.readAllBytes(TINY);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Exception e = assertThrows(Exception.class, () -> CheckpointLoading.load(truncated, ScalarType.Float));
        assertTrue(e.getMessage().contains("truncated.safetensors"), e.getMessage());

        Path unknown = dir.resolve("unknown.safetensors");
        try (PointerScope scope = new PointerScope()) {
            SafetensorsWriter.write(unknown, Map.of("some.random.weight", torch.zeros(2, 2)), Map.of());
        }
        UnsupportedModelException u = assertThrows(UnsupportedModelException.class,
                () -> CheckpointLoading.load(unknown, ScalarType.Float));
        assertTrue(u.getMessage().contains("unknown.safetensors"), u.getMessage());
    }
}
