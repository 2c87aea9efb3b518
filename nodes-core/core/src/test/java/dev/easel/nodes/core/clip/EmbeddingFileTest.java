package dev.easel.nodes.core.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.easel.nodes.core.model.files.TorchSaveWriter;
import dev.easel.nodes.core.model.pickle.PickleException;
import dev.easel.nodes.core.model.pickle.TorchDtype;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file layouts {@link EmbeddingFile} reads, in ComfyUI's order of preference. */
class EmbeddingFileTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void torch() {
        Torch.load();
    }

    private static Tensor rows(int n, int width, float base) {
        float[] v = new float[n * width];
        for (int i = 0; i < v.length; i++) {
            v[i] = base + i;
        }
        return Tensor.create(v, n, width);
    }

    @Test
    void aPlainTensorAndAOneDimensionalOne() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            Path file = dir.resolve("v.safetensors");
            SafetensorsWriter.write(file, Map.of("anything", rows(1, 4, 1).view(4)));
            EmbeddingFile e = EmbeddingFile.read(file, Embeddings.KEY_CLIP_L, 4);
            assertEquals(4, e.width());
            assertArrayEquals(new float[] {1, 2, 3, 4}, e.vectors()[0]);
        }
    }

    @Test
    void theTowerKeyThenBundledLoraEmbeddingsThenTheFirstTensor() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("a_first", rows(1, 4, 100));
            m.put("bundle_emb.x.string_to_param.*", rows(2, 4, 10));
            m.put("clip_g", rows(1, 8, 50));
            Path file = dir.resolve("m.safetensors");
            SafetensorsWriter.write(file, m);
            assertEquals(8, EmbeddingFile.read(file, Embeddings.KEY_CLIP_G, 8).width());
            EmbeddingFile bundled = EmbeddingFile.read(file, Embeddings.KEY_CLIP_L, 4);
            assertEquals(2, bundled.length());
            assertEquals(10, bundled.vectors()[0][0]);
            Path plain = dir.resolve("p.safetensors");
            SafetensorsWriter.write(plain, Map.of("b", rows(1, 4, 7), "a", rows(1, 4, 3)));
            assertEquals(3, EmbeddingFile.read(plain, null, 4).vectors()[0][0], "sorted keys: a first");
        }
    }

    @Test
    void aListOfDictsKeepsTheTensorsOfTheTowersWidth() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            TorchSaveWriter w = TorchSaveWriter.of(Map.of("l", rows(2, 4, 0), "g", rows(1, 6, 0)));
            w.root = p -> {
                p.op(']').put().mark(); // EMPTY_LIST, then appends
                p.emptyDict().string("clip_l");
                w.writeTensor(p, "l");
                p.setItem();
                p.emptyDict().string("clip_g");
                w.writeTensor(p, "g");
                p.setItem();
                p.op('e'); // APPENDS
            };
            Path file = dir.resolve("list.pt");
            w.write(file);
            EmbeddingFile e = EmbeddingFile.read(file, "ignored", 4);
            assertEquals(2, e.length());
            assertEquals(4, e.width());
        }
    }

    @Test
    void aPickleThatIsNotAllowedFallsBackToTheRawStorage() throws Exception {
        byte[] data = new byte[2 * 768 * 4];
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 2 * 768; i++) {
            b.putFloat(i * 0.5f);
        }
        TorchSaveWriter w = new TorchSaveWriter().storage("0", TorchDtype.FLOAT32, data);
        w.root = p -> p.global("some_trainer", "Embedding").emptyTuple().reduce();
        Path file = dir.resolve("custom.pt");
        w.write(file);
        EmbeddingFile e = EmbeddingFile.read(file, null, 768);
        assertEquals(768, e.width());
        assertEquals(2, e.length());
        assertEquals(768 * 0.5f, e.vectors()[1][0]);

        TorchSaveWriter small = new TorchSaveWriter().storage("0", TorchDtype.FLOAT32, new byte[16]);
        small.root = w.root;
        Path tooSmall = dir.resolve("small.pt");
        small.write(tooSmall);
        assertThrows(PickleException.class, () -> EmbeddingFile.read(tooSmall, null, 768));
    }
}
