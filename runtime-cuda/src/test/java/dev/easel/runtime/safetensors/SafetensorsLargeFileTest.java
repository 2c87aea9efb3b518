package dev.easel.runtime.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.runtime.Torch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Past the 2 GiB limits of Java buffers: a tensor over 2 GiB (written in 1 GiB slices) and a tensor at a file offset
 * beyond 2 GiB. Needs about 5 GiB of memory and 2.3 GiB of disk, so it only runs with
 * {@code -Deasel.safetensors.large=true}.
 */
@EnabledIfSystemProperty(named = "easel.safetensors.large", matches = "true")
class SafetensorsLargeFileTest {

    @TempDir
    Path folder;

    @Test
    void tensorsLargerThanAndBeyondTwoGibibytes() throws IOException {
        Torch.load();
        long big = (1L << 31) + (1L << 28) + 7; // 2.25 GiB + 7 bytes
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("big", torch.randint(256, new long[] {big}, new TensorOptions(ScalarType.Byte)));
            tensors.put("after", torch.randn(3, 5)); // data at offset > 2 GiB, misaligned by the odd size before it
            Path file = folder.resolve("large.safetensors");
            SafetensorsWriter.write(file, tensors);
            try (SafetensorsFile read = SafetensorsFile.open(file)) {
                assertTrue(read.info("after").dataBegin() > Integer.MAX_VALUE);
                assertTrue(tensors.get("big").equal(read.view("big")), "bytes past 2 GiB round-trip");
                assertTrue(tensors.get("after").equal(read.view("after")));
                assertEquals(tensors.get("big").narrow(0, big - 1000, 1000).sum().item().toLong(),
                        read.view("big").narrow(0, big - 1000, 1000).sum().item().toLong());
            }
            Path ordered = folder.resolve("ordered.safetensors");
            SafetensorsWriter.write(ordered, SafetensorsWriter.referenceOrder(tensors));
            try (SafetensorsFile read = SafetensorsFile.open(ordered)) {
                assertTrue(tensors.get("big").equal(read.view("big")));
                assertTrue(tensors.get("after").equal(read.view("after")));
            }
        }
    }
}
