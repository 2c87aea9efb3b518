package dev.easel.runtime.safetensors;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The shared reference fixtures ({@code ../shared/fixtures} beside the repository root) and byte helpers. */
final class Fixtures {

    private Fixtures() {
    }

    /** The fixtures folder; skips the calling test when it is absent. */
    static Path folder() {
        String root = System.getProperty("easel.repo.root", Path.of("").toAbsolutePath().getParent().toString());
        Path folder = Path.of(root).resolve("../shared/fixtures").normalize();
        assumeTrue(Files.isDirectory(folder), "fixtures not found at " + folder);
        return folder;
    }

    /** One fixture file; skips the calling test when it is absent. */
    static Path file(String relative) {
        Path file = folder().resolve(relative);
        assumeTrue(Files.isRegularFile(file), "fixture not found: " + file);
        return file;
    }

    /** Every *.safetensors file under the fixtures folder, sorted. */
    static List<Path> allSafetensors() throws IOException {
        try (Stream<Path> files = Files.walk(folder())) {
            return files.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
    }

    /** A file built byte by byte: the 8-byte little-endian length of {@code json}, {@code json}, then the data. */
    static byte[] rawFile(String json, byte[] data) {
        byte[] header = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data).array();
    }

    /** IEEE 754 binary16 to double, decoded by hand (independent of libtorch and of Java 20's Float.float16ToFloat). */
    static double halfToDouble(int bits) {
        int sign = (bits >>> 15) & 1;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        double magnitude;
        if (exponent == 0) {
            magnitude = mantissa * Math.pow(2, -24); // subnormal
        } else if (exponent == 31) {
            magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            magnitude = (1024 + mantissa) * Math.pow(2, exponent - 25);
        }
        return sign == 1 ? -magnitude : magnitude;
    }
}
