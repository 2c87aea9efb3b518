package dev.easel.runtime.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.easel.runtime.Torch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {

    @TempDir
    Path folder;

    private PointerScope scope;

    @BeforeAll
    static void loadTorch() {
        Torch.load();
        torch.manual_seed(1234);
    }

    @BeforeEach
    void openScope() {
        scope = new PointerScope();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** Random values for float types, a ramp (with large and negative values where they fit) for integer types. */
    static Tensor sample(SafetensorsDtype dtype, long... shape) {
        long numel = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        Tensor ramp = torch.arange(new Scalar(numel), new TensorOptions(ScalarType.Long)).reshape(shape);
        return switch (dtype) {
            case F64, F32, F16, BF16, F8_E4M3, F8_E5M2 -> torch.randn(shape).to(dtype.scalarType());
            case F8_E8M0 -> torch.randn(shape).abs().add(new Scalar(0.1)).to(dtype.scalarType()); // powers of two
            case I64 -> ramp.sub(new Scalar(numel / 2)).mul(new Scalar(1_000_000_007_000L)).to(dtype.scalarType());
            case I32, I16, I8 -> ramp.sub(new Scalar(numel / 2)).to(dtype.scalarType());
            case U64, U32, U16 -> ramp.mul(new Scalar(1000)).to(dtype.scalarType());
            case U8 -> ramp.remainder(new Scalar(256)).to(dtype.scalarType());
            case BOOL -> ramp.remainder(new Scalar(3)).to(dtype.scalarType());
        };
    }

    static void assertSameTensor(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.scalar_type().intern(), actual.scalar_type().intern(), what + " dtype");
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        assertTrue(expected.equal(actual), what + " values");
    }

    @Test
    void everyDtypeRoundTripsInCallerOrder() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        long[][] shapes = {{2, 3}, {3, 4}, {5}, {2, 1, 3}, {7}};
        int i = 0;
        for (SafetensorsDtype dtype : SafetensorsDtype.values()) {
            tensors.put("t." + dtype.code(), sample(dtype, shapes[i++ % shapes.length]));
        }
        Path file = folder.resolve("all.safetensors");
        SafetensorsWriter.write(file, tensors);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(List.copyOf(tensors.keySet()), read.names(), "file order is the map's order");
            for (SafetensorsDtype dtype : SafetensorsDtype.values()) {
                String name = "t." + dtype.code();
                TensorInfo info = read.info(name);
                assertEquals(dtype.code(), info.dtype());
                assertSame(dtype.scalarType(), info.scalarType());
                assertSameTensor(tensors.get(name), read.view(name), name + " view");
                assertSameTensor(tensors.get(name), read.load(name), name + " load");
            }
        }
    }

    @Test
    void referenceOrderAlignsEveryTensorAndViewsAreZeroCopy() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b.half", sample(SafetensorsDtype.F16, 3));
        tensors.put("a.byte", sample(SafetensorsDtype.U8, 5));
        tensors.put("c.long", sample(SafetensorsDtype.I64, 2));
        tensors.put("a.float", sample(SafetensorsDtype.F32, 3));
        tensors.put("d.double", sample(SafetensorsDtype.F64, 1));
        tensors.put("e.bool", sample(SafetensorsDtype.BOOL, 3));
        Map<String, Tensor> ordered = SafetensorsWriter.referenceOrder(tensors);
        assertEquals(List.of("c.long", "d.double", "a.float", "b.half", "a.byte", "e.bool"),
                List.copyOf(ordered.keySet()));

        Path file = folder.resolve("ordered.safetensors");
        SafetensorsWriter.write(file, ordered);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            Tensor first = read.view("c.long");
            for (String name : read.names()) {
                TensorInfo info = read.info(name);
                assertEquals(0, info.dataBegin() % info.safetensorsDtype().itemSize(), name + " aligned");
                Tensor view = read.view(name);
                assertSameTensor(tensors.get(name), view, name);
                // Views point into the one mapping: their addresses differ exactly as their file offsets do.
                assertEquals(info.dataBegin() - read.info("c.long").dataBegin(),
                        view.data_ptr().address() - first.data_ptr().address(), name + " is a view of the mapping");
            }
            Tensor copy = read.load("c.long");
            assertNotEquals(first.data_ptr().address(), copy.data_ptr().address(), "load() copies");
        }
    }

    @Test
    void misalignedTensorsAreCopiedAndStillRead() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("odd", sample(SafetensorsDtype.U8, 3));
        tensors.put("wide", sample(SafetensorsDtype.F64, 4));
        Path file = folder.resolve("misaligned.safetensors");
        SafetensorsWriter.write(file, tensors);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertNotEquals(0, read.info("wide").dataBegin() % 8, "the test needs a misaligned tensor");
            assertSameTensor(tensors.get("wide"), read.view("wide"), "misaligned view");
            assertSameTensor(tensors.get("wide"), read.load("wide"), "misaligned load");
        }
    }

    @Test
    void scalarEmptyAndOddShapesRoundTrip() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("scalar", torch.randn(new long[0]));
        tensors.put("scalar.long", torch.arange(new Scalar(1), new TensorOptions(ScalarType.Long))
                .add(new Scalar(42)).reshape(new long[0]));
        tensors.put("empty", torch.randn(0));
        tensors.put("empty.3d", sample(SafetensorsDtype.F16, 2, 0, 3));
        tensors.put("one", torch.randn(1, 1, 1));
        tensors.put("after.empty", sample(SafetensorsDtype.I32, 4));
        Path file = folder.resolve("shapes.safetensors");
        SafetensorsWriter.write(file, tensors);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(0, read.info("scalar").rank());
            assertEquals(1, read.info("scalar").numel());
            assertEquals(0, read.info("empty.3d").byteSize());
            assertArrayEquals(new long[] {2, 0, 3}, read.info("empty.3d").shape());
            for (String name : tensors.keySet()) {
                assertSameTensor(tensors.get(name), read.view(name), name + " view");
                assertSameTensor(tensors.get(name), read.load(name), name + " load");
            }
            assertEquals(42L, read.view("scalar.long").item().toLong());
        }
    }

    @Test
    void metadataAndAwkwardNamesRoundTrip() throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("quote\"back\\slash", "line\nbreak\ttab\u0001ctl é 🙂 \u007f");
        metadata.put("", "empty key");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("zeta", torch.randn(2));
        tensors.put("alpha/ü 🙂", torch.randn(3));
        tensors.put("", torch.randn(1));
        tensors.put("with \"quotes\"", torch.randn(1));
        Path file = folder.resolve("meta.safetensors");
        SafetensorsWriter.write(file, tensors, metadata);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(metadata, read.metadata());
            assertEquals(List.copyOf(metadata.keySet()), List.copyOf(read.metadata().keySet()));
            assertEquals(List.copyOf(tensors.keySet()), read.names());
            for (String name : tensors.keySet()) {
                assertSameTensor(tensors.get(name), read.view(name), name);
            }
        }
        String header = headerText(file);
        assertTrue(header.contains("\\u0001") && header.contains("\\n") && header.contains("🙂"),
                "escaped like serde_json: " + header);
    }

    @Test
    void headerIsPaddedToEightBytesAndMetadataOmittedWhenEmpty() throws IOException {
        Path file = folder.resolve("padding.safetensors");
        SafetensorsWriter.write(file, Map.of("x", torch.randn(3)), Map.of());
        String header = headerText(file);
        assertEquals(0, header.getBytes(StandardCharsets.UTF_8).length % 8);
        assertEquals("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", header.strip());
        assertEquals(8 + header.getBytes(StandardCharsets.UTF_8).length + 12, Files.size(file));
    }

    @Test
    void emptyFileRoundTrips() throws IOException {
        Path file = folder.resolve("nothing.safetensors");
        SafetensorsWriter.write(file, Map.of());
        assertEquals("{}      ", headerText(file));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(List.of(), read.names());
            assertEquals(Map.of(), read.metadata());
        }
    }

    @Test
    void nonContiguousInputIsWrittenInLogicalOrder() throws IOException {
        Tensor base = torch.randn(3, 5);
        Tensor transposed = base.t();
        Tensor strided = base.narrow(1, 1, 3);
        Path file = folder.resolve("strided.safetensors");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("t", transposed);
        tensors.put("narrow", strided);
        SafetensorsWriter.write(file, tensors);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertSameTensor(transposed.contiguous(), read.view("t"), "transposed");
            assertSameTensor(strided.contiguous(), read.view("narrow"), "narrowed");
        }
    }

    @Test
    void cudaTensorsAreCopiedToTheCpu() throws IOException {
        assumeTrue(torch.cuda_is_available(), "no CUDA device");
        Tensor cpu = torch.randn(4, 8).to(ScalarType.BFloat16);
        Path file = folder.resolve("cuda.safetensors");
        SafetensorsWriter.write(file, Map.of("w", cpu.cuda()));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertSameTensor(cpu, read.view("w"), "from CUDA");
        }
    }

    @Test
    void rawBytesAndSha256MatchTheFileBytes() throws Exception {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a", torch.randn(64, 33));
        tensors.put("b", torch.randn(1000).to(ScalarType.Half));
        Path file = folder.resolve("bytes.safetensors");
        SafetensorsWriter.write(file, tensors);
        byte[] all = Files.readAllBytes(file);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            for (String name : read.names()) {
                TensorInfo info = read.info(name);
                byte[] expected = Arrays.copyOfRange(all, (int) info.dataBegin(), (int) info.dataEnd());
                ByteBuffer raw = read.rawBytes(name);
                byte[] actual = new byte[raw.remaining()];
                raw.get(actual);
                assertArrayEquals(expected, actual, name);
                assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(expected), read.sha256(name), name);
            }
            assertEquals(read.view("a").select(0, 1).select(0, 2).item().toFloat(),
                    read.rawBytes("a").getFloat((33 + 2) * 4), "little-endian float at [1, 2]");
        }
    }

    @Test
    void writeAtomicallyReplacesAFileThatIsStillMapped() throws IOException {
        Path file = folder.resolve("model.safetensors");
        Tensor oldValues = torch.randn(256);
        SafetensorsWriter.write(file, Map.of("w", oldValues));
        try (SafetensorsFile old = SafetensorsFile.open(file)) {
            Tensor oldView = old.view("w");
            Tensor newValues = torch.randn(256);
            SafetensorsWriter.writeAtomically(file, Map.of("w", newValues), Map.of("v", "2"));
            assertSameTensor(oldValues, oldView, "the old mapping is undisturbed by the rename");
            try (SafetensorsFile fresh = SafetensorsFile.open(file)) {
                assertEquals(Map.of("v", "2"), fresh.metadata());
                assertSameTensor(newValues, fresh.view("w"), "new contents");
            }
        }
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void aFileReplacedBeforeItsFirstViewIsDetected() throws IOException {
        Path file = folder.resolve("replaced.safetensors");
        SafetensorsWriter.write(file, Map.of("w", torch.randn(8)));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            SafetensorsWriter.writeAtomically(file, Map.of("w", torch.randn(8)), Map.of());
            IOException e = assertThrows(IOException.class, () -> read.view("w"));
            assertTrue(e.getMessage().contains("replaced or modified"), e.getMessage());
        }
    }

    @Test
    void writerRejectsWhatSafetensorsCannotHold() {
        Path file = folder.resolve("bad.safetensors");
        IllegalArgumentException reserved = assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(file, Map.of("__metadata__", torch.randn(1))));
        assertTrue(reserved.getMessage().contains("__metadata__"));
        IllegalArgumentException complex = assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(file, Map.of("c", torch.randn(2).to(ScalarType.ComplexFloat))));
        assertTrue(complex.getMessage().contains("\"c\""), complex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file, Map.of("u", new Tensor())));
        IllegalArgumentException surrogate = assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(file, Map.of(), Map.of("k", "lone \ud800")));
        assertTrue(surrogate.getMessage().contains("unpaired surrogate"), surrogate.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(file, Map.of("\udc00", torch.randn(1))));
        assertTrue(Files.notExists(file), "nothing written when the input is invalid");
    }

    @Test
    void nonAsciiFileNamesAreMapped() throws IOException {
        Path file = folder.resolve("modèle 🙂.safetensors");
        Tensor values = torch.randn(5);
        SafetensorsWriter.write(file, Map.of("w", values));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertSameTensor(values, read.view("w"), "non-ASCII path");
        }
    }

    private static String headerText(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int length = (int) ByteBuffer.wrap(all, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(all, 8, length, StandardCharsets.UTF_8);
    }
}
