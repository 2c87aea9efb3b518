package dev.easel.nodes.core.sd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.models.FolderModelLibrary;
import dev.easel.engine.models.ModelFolders;
import dev.easel.node.NodeInputs;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CLIPTextEncode as a node, with a models folder holding {@code checkpoints/} and {@code embeddings/}. */
class EmbeddingNodeTest {

    @TempDir
    Path dir;

    private static Tensor cond(Object conditioning) {
        return ((Conditioning) conditioning).entries().get(0).cond().tensor();
    }

    @Test
    void theNodeUsesTheEmbeddingsFolderWarnsInItsLogAndKeysOnTheFiles() throws Exception {
        Path checkpoints = Files.createDirectories(dir.resolve("models/checkpoints"));
        Files.createSymbolicLink(checkpoints.resolve("tiny.safetensors"), EmbeddingEncodeTest.TINY);
        Path embeddings = Files.createDirectories(dir.resolve("models/embeddings"));
        FolderModelLibrary models = new FolderModelLibrary(new ModelFolders(dir));
        ClipTextEncode encode = new ClipTextEncode(models);
        FakeNodeContext context = new FakeNodeContext(dir);
        try (NodeRunner runner = new NodeRunner(context); PointerScope scope = new PointerScope()) {
            var loaded = runner.run(new CheckpointLoaderSimple(models), Map.of("ckpt_name", "tiny.safetensors"));
            runner.own((DiffusionModel) loaded.values().get(0));
            ClipModel clip = runner.own((ClipModel) loaded.values().get(1));
            runner.own((VaeModel) loaded.values().get(2));

            Map<String, Object> withEmbedding = Map.of("text", "a photo of embedding:cat", "clip", clip);
            Object missingFingerprint = encode.fingerprint(NodeInputs.of(withEmbedding));
            Tensor missing = cond(runner.runForValue(encode, withEmbedding));
            assertTrue(String.join("\n", context.logged()).contains("embedding:cat does not exist"),
                    context.logged().toString());

            // the rows of "cat" in the text encoder's token table, as an A1111-style safetensors embedding
            Tensor table = clip.model().weights().get("embeddings.token_embedding.weight");
            int cat = dev.easel.nodes.core.clip.ClipTokenizer.standard().encode("cat")[0];
            SafetensorsWriter.write(embeddings.resolve("cat.safetensors"),
                    Map.of("emb_params", table.narrow(0, cat, 1).contiguous()));
            Object present = encode.fingerprint(NodeInputs.of(withEmbedding));
            assertNotEquals(missingFingerprint, present, "adding the file changes the cache key");

            Tensor withCat = cond(runner.runForValue(encode, withEmbedding));
            Tensor plain = cond(runner.runForValue(encode, Map.of("text", "a photo of cat", "clip", clip)));
            assertTrue(withCat.sub(plain).abs().max().item().toDouble() <= 1e-5);
            assertTrue(withCat.sub(missing).abs().max().item().toDouble() > 1e-4);

            SafetensorsWriter.write(embeddings.resolve("cat.safetensors"),
                    Map.of("emb_params", table.narrow(0, cat + 1, 1).contiguous()));
            assertNotEquals(present, encode.fingerprint(NodeInputs.of(withEmbedding)),
                    "changing the file changes the cache key");

            assertNull(encode.fingerprint(NodeInputs.of(Map.of("text", "a photo of cat"))));
            assertNotNull(encode.fingerprint(NodeInputs.empty()), "a linked prompt keys on the whole folder");
            assertEquals(encode.fingerprint(NodeInputs.of(withEmbedding)),
                    encode.fingerprint(NodeInputs.of(Map.of("text", "(embedding:cat:1.1), embedding:cat"))));
        }
    }

    @Test
    void withoutModelFoldersTheReferenceIsPromptText() throws Exception {
        assertNull(new ClipTextEncode().fingerprint(NodeInputs.of(Map.of("text", "embedding:cat"))));
    }
}
