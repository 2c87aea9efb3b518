package dev.easel.runtime.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.runtime.Torch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against files the reference Python library wrote (../shared/fixtures). */
class SafetensorsFixtureTest {

    private static final String SD15 = "sd15_tiny_s1234_f16.safetensors";

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path folder;

    @BeforeAll
    static void loadTorch() {
        Torch.load();
    }

    @Test
    void readsEveryTensorOfTheSd15CheckpointAndAgreesWithAHandDecoder() throws IOException {
        Path path = Fixtures.file(SD15);
        byte[] bytes = Files.readAllBytes(path);
        try (SafetensorsFile file = SafetensorsFile.open(path);
                PointerScope scope = new PointerScope()) {
            assertEquals(1015, file.names().size());
            assertEquals(Map.of("format", "pt"), file.metadata());
            assertEquals("cond_stage_model.transformer.text_model.embeddings.position_ids", file.names().get(0));
            for (String name : file.names()) {
                try (PointerScope perTensor = new PointerScope()) {
                    TensorInfo info = file.info(name);
                    Tensor view = file.view(name);
                    assertArrayEquals(info.shape(), view.shape(), name);
                    assertEquals(info.scalarType(), view.scalar_type().intern(), name);
                    assertTrue(view.is_contiguous(), name);
                    double expected = 0;
                    for (long at = info.dataBegin(); at < info.dataEnd(); at += 2) {
                        if (info.dtype().equals("F16")) {
                            expected += Fixtures.halfToDouble((bytes[(int) at] & 0xFF) | (bytes[(int) at + 1] & 0xFF) << 8);
                        }
                    }
                    if (info.dtype().equals("F16")) {
                        double actual = view.to(ScalarType.Double).sum().item().toDouble();
                        assertEquals(expected, actual, 1e-9 * Math.max(1, Math.abs(expected)), name);
                    }
                }
            }
        }
    }

    @Test
    void knownValuesComputedIndependently() throws IOException {
        Path path = Fixtures.file(SD15);
        try (SafetensorsFile file = SafetensorsFile.open(path);
                PointerScope scope = new PointerScope()) {
            // Offsets and sums from Python/numpy on the same bytes (header length 131960).
            TensorInfo alphas = file.info("alphas_cumprod");
            assertEquals(8 + 131960 + 616, alphas.dataBegin());
            assertEquals(8 + 131960 + 2616, alphas.dataEnd());
            assertEquals(373.37060928344727, sumHalfWithNio(path, alphas.dataBegin(), 1000), 1e-9);
            assertEquals(373.37060928344727, file.view("alphas_cumprod").to(ScalarType.Double).sum().item().toDouble(),
                    1e-9);

            String embedding = "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight";
            assertArrayEquals(new long[] {49408, 64}, file.info(embedding).shape());
            assertEquals(9.520814657211304, sumHalfWithNio(path, file.info(embedding).dataBegin(), 49408L * 64), 1e-9);
            assertEquals(9.520814657211304, file.view(embedding).to(ScalarType.Double).sum().item().toDouble(), 1e-9);

            Tensor positions = file.view("cond_stage_model.transformer.text_model.embeddings.position_ids");
            assertEquals(ScalarType.Long, positions.scalar_type().intern());
            assertEquals(2926, positions.sum().item().toLong()); // 0 + 1 + ... + 76
            assertEquals(76, positions.select(1, 76).item().toLong());
        }
    }

    /** Sums {@code count} fp16 values at {@code offset} with plain NIO and the hand decoder, no libtorch. */
    private static double sumHalfWithNio(Path path, long offset, long count) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) (count * 2)).order(ByteOrder.LITTLE_ENDIAN);
            while (buffer.hasRemaining()) {
                channel.read(buffer, offset + buffer.position());
            }
            buffer.flip();
            double sum = 0;
            while (buffer.hasRemaining()) {
                sum += Fixtures.halfToDouble(buffer.getShort() & 0xFFFF);
            }
            return sum;
        }
    }

    /**
     * Reads each fixture and writes it back with the same names, order and metadata: the header parses to the same
     * JSON and the file comes out byte-identical (the reference pads the header the same way), so the data section
     * is byte-identical too.
     */
    @Test
    void rewritingEveryFixtureReproducesItByteForByte() throws Exception {
        List<Path> fixtures = Fixtures.allSafetensors();
        assertFalse(fixtures.isEmpty());
        for (Path fixture : fixtures) {
            Path copy = folder.resolve("copy.safetensors");
            try (SafetensorsFile original = SafetensorsFile.open(fixture);
                    PointerScope scope = new PointerScope()) {
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                for (String name : original.names()) {
                    tensors.put(name, original.view(name));
                }
                SafetensorsWriter.write(copy, tensors, original.metadata());

                byte[] expected = Files.readAllBytes(fixture);
                byte[] actual = Files.readAllBytes(copy);
                assertEquals(JSON.readTree(headerText(expected)), JSON.readTree(headerText(actual)),
                        fixture + " header");
                long dataStart = 8 + ByteBuffer.wrap(expected, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                assertArrayEquals(Arrays.copyOfRange(expected, (int) dataStart, expected.length),
                        Arrays.copyOfRange(actual, (int) dataStart, actual.length), fixture + " data section");
                assertArrayEquals(expected, actual, fixture + " whole file");
            }
        }
    }

    @Test
    void referenceOrderReproducesTheOrderOfTheReferenceWriter() throws IOException {
        for (String fixture : List.of(SD15, "lora/lora_kohya_sd15_tiny_s1601.safetensors",
                "components/tiny_clip_text_encode.safetensors", "sd2/sd2_tiny_s2101_f16.safetensors")) {
            try (SafetensorsFile file = SafetensorsFile.open(Fixtures.file(fixture));
                    PointerScope scope = new PointerScope()) {
                Map<String, Tensor> shuffled = new LinkedHashMap<>();
                List<String> reversed = new java.util.ArrayList<>(file.names());
                java.util.Collections.reverse(reversed);
                for (String name : reversed) {
                    shuffled.put(name, file.view(name));
                }
                assertEquals(file.names(), List.copyOf(SafetensorsWriter.referenceOrder(shuffled).keySet()), fixture);
            }
        }
    }

    @Test
    void zeroDimensionalLoraAlphasAreScalars() throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(Fixtures.file("lora/lora_kohya_sd15_tiny_s1601.safetensors"));
                PointerScope scope = new PointerScope()) {
            String alpha = "lora_te_text_model_encoder_layers_0_self_attn_q_proj.alpha";
            assertEquals(0, file.info(alpha).rank());
            Tensor value = file.view(alpha);
            assertEquals(0, value.dim());
            double expected = Fixtures.halfToDouble(file.rawBytes(alpha).getShort(0) & 0xFFFF);
            assertEquals(expected, value.item().toDouble());
            assertEquals("networks.lora", file.metadata().get("ss_network_module"));
        }
    }

    private static String headerText(byte[] file) {
        int length = (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(file, 8, length, StandardCharsets.UTF_8);
    }
}
