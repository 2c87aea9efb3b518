package dev.easel.nodes.core.sd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.models.FolderModelLibrary;
import dev.easel.engine.models.ModelFolders;
import dev.easel.nodes.core.clip.ClipTextEncoder;
import dev.easel.nodes.core.clip.ClipTokenizer;
import dev.easel.nodes.core.clip.Embeddings;
import dev.easel.nodes.core.model.files.TorchSaveWriter;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Textual-inversion embeddings on the tiny SD1.5 checkpoint. There is no reference output for them, so the checks are
 * built on an identity: an embedding whose vectors are exactly the token embeddings of some words must condition
 * exactly like those words (Gal et al. 2022 learn vectors in that same input space).
 */
class EmbeddingEncodeTest {

    static final Path TINY = Path.of(System.getProperty("easel.repo.root", "."))
            .resolve("../shared/fixtures/sd15_tiny_s1234_f16.safetensors").normalize();

    static CheckpointLoading.Parts parts;

    @TempDir
    Path dir;
    Path folder;
    FakeNodeContext context;
    Embeddings embeddings;

    @BeforeAll
    static void load() throws Exception {
        parts = CheckpointLoading.load(TINY, ScalarType.Float);
    }

    @AfterAll
    static void free() {
        if (parts != null) {
            parts.model().release();
            parts.clip().release();
            parts.vae().release();
        }
    }

    @BeforeEach
    void folder() throws Exception {
        folder = Files.createDirectories(dir.resolve("models/embeddings"));
        context = new FakeNodeContext(dir);
        embeddings = new Embeddings(new FolderModelLibrary(new ModelFolders(dir)), context.logger());
    }

    static ClipModel clip() {
        return parts.clip();
    }

    /** The rows of the token-embedding table for the tokens of {@code words}, [n, width]. */
    static Tensor tokenRows(String words) {
        int[] ids = ClipTokenizer.standard().encode(words);
        long[] longIds = Arrays.stream(ids).asLongStream().toArray();
        Tensor table = clip().model().weights().get("embeddings.token_embedding.weight");
        return table.index_select(0, Tensor.create(longIds, longIds.length)).contiguous();
    }

    static int tokenCount(String words) {
        return ClipTokenizer.standard().encode(words).length;
    }

    /** Largest difference of cond and pooled between {@code prompt} with embeddings and {@code text} without. */
    double difference(String prompt, String text) {
        ClipTextEncoder.Encoded a = clip().encode(prompt, embeddings);
        ClipTextEncoder.Encoded b = clip().encode(text);
        assertEquals(Arrays.toString(b.cond().shape()), Arrays.toString(a.cond().shape()), prompt);
        double cond = a.cond().sub(b.cond()).abs().max().item().toDouble();
        double pooled = a.pooled().sub(b.pooled()).abs().max().item().toDouble();
        return Math.max(cond, pooled);
    }

    void assertSame(String prompt, String text) {
        double d = difference(prompt, text);
        assertTrue(d <= 1e-5, prompt + " vs " + text + ": " + d);
    }

    void writeSafetensors(String name, Map<String, Tensor> tensors) throws Exception {
        Path file = folder.resolve(name);
        Files.createDirectories(file.getParent());
        SafetensorsWriter.write(file, tensors);
    }

    /** An A1111 textual-inversion .pt: {"string_to_token": {"*": 265}, "string_to_param": {"*": vectors}, ...}. */
    static void writeA1111(Path file, Tensor vectors) throws Exception {
        TorchSaveWriter w = TorchSaveWriter.of(Map.of("*", vectors));
        w.root = p -> {
            p.emptyDict().mark();
            p.string("string_to_token").emptyDict().string("*").integer(265).setItem();
            p.string("string_to_param").emptyDict().string("*");
            w.writeTensor(p, "*");
            p.setItem();
            p.string("name").string("cat");
            p.string("step").integer(3000);
            p.setItems();
        };
        w.write(file);
    }

    String log() {
        return String.join("\n", context.logged());
    }

    @Test
    void safetensorsEmbParamsEncodeLikeTheirWords() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            writeSafetensors("cat.safetensors", Map.of("emb_params", tokenRows("cat")));
            assertSame("a photo of embedding:cat", "a photo of cat");
            assertSame("a photo of embedding:cat.safetensors", "a photo of cat"); // with its extension
            assertTrue(difference("a photo of embedding:cat", "a photo of dog") > 1e-3, "the check can fail");
            assertTrue(context.logged().isEmpty(), log());
        }
    }

    @Test
    void a1111PtFilesAndMultiVectorEmbeddings() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            assertEquals(3, tokenCount("red sports car"));
            writeA1111(folder.resolve("car.pt"), tokenRows("red sports car"));
            assertSame("a embedding:car on a road", "a red sports car on a road");
            assertSame("embedding:car", "red sports car");
            assertTrue(context.logged().isEmpty(), log());
        }
    }

    @Test
    void weightsApplyToEmbeddingsLikeToWords() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            writeSafetensors("cat.safetensors", Map.of("emb_params", tokenRows("cat")));
            assertSame("(embedding:cat:1.3) on grass", "(cat:1.3) on grass");
            assertSame("a ((embedding:cat)), embedding:cat", "a ((cat)), cat");
            assertTrue(difference("(embedding:cat:1.3) on grass", "cat on grass") > 1e-4, "the weight matters");
        }
    }

    @Test
    void aLongEmbeddingCrossesTheChunkBoundaryLikeALongWord() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            String colours = "red green blue yellow black white pink brown gray orange";
            assertEquals(10, tokenCount(colours));
            String filler = "cat ".repeat(70).trim();
            assertEquals(70, tokenCount(filler));
            writeSafetensors("colours.safetensors", Map.of("emb_params", tokenRows(colours)));
            // 70 + 10 positions: 5 vectors end the first chunk, 5 begin the second
            assertSame(filler + " embedding:colours", filler + " " + colours);
            // a short embedding that does not fit moves whole to the next chunk, like a short separate word group
            writeSafetensors("three.safetensors", Map.of("emb_params", tokenRows("red sports car")));
            String fuller = "cat ".repeat(74).trim();
            assertSame(fuller + " embedding:three dog", fuller + " (red sports car:1) dog");
        }
    }

    @Test
    void aMissingEmbeddingIsWarnedAboutAndLeftOut() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            assertSame("a photo of embedding:nothere cat", "a photo of cat");
            assertTrue(log().contains("embedding:nothere does not exist"), log());
        }
    }

    @Test
    void anEmbeddingOfAnotherWidthIsWarnedAboutAndLeftOut() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            int width = clip().model().config().width();
            writeSafetensors("wide.safetensors", Map.of("emb_params", torch.randn(2, width + 8)));
            assertSame("a photo of embedding:wide cat", "a photo of cat");
            assertTrue(log().contains("wide.safetensors") && log().contains("width " + (width + 8))
                    && log().contains("width " + width), log());
        }
    }

    @Test
    void namesResolveInSubfoldersWithoutExtensionAndWithTrailingCommas() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            writeSafetensors("styles/deep/cat.safetensors", Map.of("emb_params", tokenRows("cat")));
            assertSame("a photo of embedding:cat", "a photo of cat");
            assertSame("a photo of embedding:deep/cat", "a photo of cat");
            assertSame("a photo of embedding:styles/deep/cat", "a photo of cat");
            assertSame("a photo of embedding:cat, on grass", "a photo of cat, on grass");
            assertSame("a photo of embedding:../cat x", "a photo of x"); // cannot leave the folder: missing
            assertTrue(log().contains("embedding:../cat does not exist"), log());
        }
    }

    @Test
    void sdxlFilesGiveTheClipLTowerItsOwnVectors() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> both = new LinkedHashMap<>();
            both.put("clip_g", torch.randn(1, 32)); // sorted first: the key must win over "the first tensor"
            both.put("clip_l", tokenRows("cat"));
            writeSafetensors("xl.safetensors", both);
            assertSame("a photo of embedding:xl", "a photo of cat");
            assertTrue(context.logged().isEmpty(), log());
        }
    }

    @Test
    void anUnreadableFileIsWarnedAboutAndLeftOut() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            Files.writeString(folder.resolve("broken.pt"), "not a checkpoint");
            assertSame("a photo of embedding:broken cat", "a photo of cat");
            assertTrue(log().contains("broken.pt"), log());
        }
    }

    @Test
    void promptsWithoutEmbeddingsAreUnchanged() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            for (String p : List.of("", "a photo of a cat", "(a:1.2) [b] \\(c\\)", "x embedding"))  {
                ClipTextEncoder.Encoded a = clip().encode(p, embeddings);
                ClipTextEncoder.Encoded b = clip().encode(p);
                assertTrue(a.cond().equal(b.cond()) && a.pooled().equal(b.pooled()), p);
            }
        }
    }
}
