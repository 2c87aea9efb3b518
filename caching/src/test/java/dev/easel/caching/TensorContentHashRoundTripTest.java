package dev.easel.caching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.easel.runtime.TensorRef;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TensorRef#contentHash()} names content, not memory: it survives a safetensors round trip. */
class TensorContentHashRoundTripTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void loadTorch() {
        Torch.load();
    }

    @Test
    void hashIsStableAcrossASafetensorsRoundTrip() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("f32", torch.randn(3, 5));
            tensors.put("f16", torch.randn(4, 4).to(ScalarType.Half));
            tensors.put("bf16", torch.randn(2, 8).to(ScalarType.BFloat16));
            tensors.put("i64", torch.arange(new Scalar(10)));
            tensors.put("bool", torch.randn(7).gt(new Scalar(0)));
            tensors.put("strided", torch.randn(6, 3).t()); // written as its contiguous copy
            Map<String, String> before = new LinkedHashMap<>();
            tensors.forEach((name, t) -> before.put(name, TensorRef.of(t).contentHash()));

            Path file = dir.resolve("t.safetensors");
            SafetensorsWriter.writeAtomically(file, SafetensorsWriter.referenceOrder(tensors), Map.of());
            try (SafetensorsFile read = SafetensorsFile.open(file)) {
                for (String name : tensors.keySet()) {
                    assertEquals(before.get(name), TensorRef.of(read.load(name)).contentHash(), name + " (load)");
                    assertEquals(before.get(name), TensorRef.of(read.view(name)).contentHash(), name + " (view)");
                }
            }
            assertNotEquals(before.get("f16"), TensorRef.of(tensors.get("f16").to(ScalarType.Float)).contentHash());
        }
    }
}
