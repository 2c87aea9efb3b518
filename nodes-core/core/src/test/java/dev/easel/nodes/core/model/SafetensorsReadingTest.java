package dev.easel.nodes.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import dev.easel.runtime.safetensors.TensorInfo;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both ways of getting a file's bytes (in-place mapping of resident windows, staging reads) give the file's values. */
class SafetensorsReadingTest {

    @TempDir
    static Path dir;

    /** A file with tensors spanning several windows, one ending mid-window, small ones, and three dtypes. */
    static Path file;

    @BeforeAll
    static void writeFile() throws IOException {
        Torch.load();
        file = dir.resolve("mixed.safetensors");
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(3);
            long window = SafetensorsReading.WINDOW;
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("big.half", torch.randn(3 * window / 2 / 64 + 5, 64).to(ScalarType.Half)); // 3.x windows
            tensors.put("big.float", torch.randn(window / 4 + 17)); // just over one window
            tensors.put("small.bf16", torch.randn(7, 3).to(ScalarType.BFloat16));
            tensors.put("scalar", torch.randn(new long[] {}));
            tensors.put("ids", torch.arange(new org.bytedeco.pytorch.Scalar(77)));
            SafetensorsWriter.write(file, tensors, Map.of());
        }
    }

    @Test
    void mappedAndStagedReadsGiveTheFilesValues() throws IOException {
        for (ScalarType dtype : List.of(ScalarType.Float, ScalarType.Half)) {
            for (boolean mapped : List.of(false, true)) {
                Tensor[] results = read(file, dtype, mapped);
                try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
                    for (int i = 0; i < results.length; i++) {
                        String name = f.names().get(i);
                        Tensor expected = f.view(name).to(dtype);
                        String what = name + " as " + dtype + (mapped ? " (mapped)" : " (staged)");
                        assertEquals(dtype, results[i].scalar_type().intern(), what);
                        assertTrue(results[i].equal(expected), what);
                    }
                } finally {
                    for (Tensor t : results) {
                        t.releaseReference();
                    }
                }
            }
        }
    }

    @Test
    void aFileShorterThanItsHeaderSaysFailsNamingTheTensor() throws Exception {
        List<TensorInfo> infos = infos(file);
        TensorInfo big = infos.stream().filter(i -> i.name().equals("big.half")).findFirst().orElseThrow();
        Path truncated = dir.resolve("truncated.safetensors");
        long cut = big.dataBegin() + big.byteSize() / 2;
        java.nio.file.Files.write(truncated, java.util.Arrays.copyOf(java.nio.file.Files.readAllBytes(file),
                (int) cut));
        List<String> cutOff = infos.stream().filter(i -> i.dataEnd() > cut).map(i -> "\"" + i.name() + "\"")
                .toList();
        for (boolean mapped : List.of(false, true)) { // mapped: the pages past the end are never resident
            Tensor[] results = new Tensor[infos.size()];
            try (FileChannel channel = FileChannel.open(truncated, StandardOpenOption.READ)) {
                EOFException e = assertThrows(EOFException.class, () -> SafetensorsReading.readAll(truncated,
                        channel, infos, ScalarType.Float, results, mapped));
                assertTrue(e.getMessage().contains("truncated.safetensors")
                        && cutOff.stream().anyMatch(e.getMessage()::contains), e.getMessage());
            } finally {
                for (Tensor t : results) {
                    if (t != null) {
                        t.releaseReference();
                    }
                }
            }
        }
    }

    private static Tensor[] read(Path path, ScalarType dtype, boolean mapped) throws IOException {
        List<TensorInfo> infos = infos(path);
        Tensor[] results = new Tensor[infos.size()];
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            SafetensorsReading.readAll(path, channel, infos, dtype, results, mapped);
        }
        return results;
    }

    private static List<TensorInfo> infos(Path path) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            List<TensorInfo> infos = new ArrayList<>();
            f.names().forEach(n -> infos.add(f.info(n)));
            return infos;
        }
    }
}
