package dev.easel.runtime.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files built byte by byte (not with the writer) that break the format in one way each. */
class SafetensorsCorruptionTest {

    private static final String GOOD = "{\"__metadata__\":{\"k\":\"v\"},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
            + "\"b\":{\"dtype\":\"I16\",\"shape\":[2,2],\"data_offsets\":[12,20]}}";

    @TempDir
    Path folder;

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = folder.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    /** Opens a file with header {@code json} and {@code dataBytes} data bytes, expecting a format error. */
    private SafetensorsFormatException reject(String json, int dataBytes) throws IOException {
        Path file = write("bad.safetensors", Fixtures.rawFile(json, new byte[dataBytes]));
        return rejectFile(file);
    }

    private static SafetensorsFormatException rejectFile(Path file) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
        assertEquals(file, e.file());
        return e;
    }

    private static void assertMentions(SafetensorsFormatException e, String tensor, String... fragments) {
        assertEquals(tensor, e.tensor(), e.getMessage());
        if (tensor != null) {
            assertTrue(e.getMessage().contains("tensor \"" + tensor + "\""), e.getMessage());
        }
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
        }
    }

    @Test
    void theBaselineIsValid() throws IOException {
        Path file = write("good.safetensors", Fixtures.rawFile(GOOD, new byte[20]));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(java.util.List.of("a", "b"), read.names());
            assertEquals(java.util.Map.of("k", "v"), read.metadata());
        }
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] good = Fixtures.rawFile(GOOD, new byte[20]);
        Path file = write("truncated.safetensors", Arrays.copyOf(good, good.length - 3));
        assertMentions(rejectFile(file), "b", "[12, 20]", "run past the end", "17-byte data area");
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        assertMentions(rejectFile(write("tiny.safetensors", new byte[] {1, 0, 0})), null, "3 bytes long", "too short");
        assertMentions(rejectFile(write("empty.safetensors", new byte[0])), null, "0 bytes long");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        byte[] bytes = Fixtures.rawFile(GOOD, new byte[20]);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 5000);
        assertMentions(rejectFile(write("long.safetensors", bytes)), null, "header length 5000 is larger than");
    }

    @Test
    void headerLengthBeyondTheFormatLimit() throws IOException {
        byte[] bytes = Fixtures.rawFile(GOOD, new byte[20]);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        assertMentions(rejectFile(write("huge.safetensors", bytes)), null, "18446744073709551615", "limit");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 100_000_001L);
        assertMentions(rejectFile(write("huge2.safetensors", bytes)), null, "100000001", "limit");
    }

    @Test
    void overlappingOffsets() throws IOException {
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"b\":{\"dtype\":\"I16\",\"shape\":[2,2],\"data_offsets\":[8,16]}}";
        assertMentions(reject(json, 16), "b", "[8, 16] overlap tensor \"a\" at [0, 12]");
    }

    @Test
    void zeroSizeTensorInsideAnother() throws IOException {
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}";
        assertMentions(reject(json, 12), "e", "overlap tensor \"a\"");
    }

    @Test
    void gapBetweenTensors() throws IOException {
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"b\":{\"dtype\":\"I16\",\"shape\":[2,2],\"data_offsets\":[16,24]}}";
        assertMentions(reject(json, 24), "b", "gap of 4 bytes");
    }

    @Test
    void trailingBytesAfterTheLastTensor() throws IOException {
        assertMentions(reject(GOOD, 21), null, "data area is 21 bytes", "cover only 20");
    }

    @Test
    void wrongByteCount() throws IOException {
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,10]}}";
        assertMentions(reject(json, 10), "a", "data_offsets [0, 10] hold 10 bytes but F32 [3] needs 12");
    }

    @Test
    void unknownAndUnsupportedDtypes() throws IOException {
        assertMentions(reject("{\"a\":{\"dtype\":\"F17\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "a",
                "unknown dtype \"F17\"");
        assertMentions(reject("{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "a",
                "unknown dtype \"f32\"");
        assertMentions(reject("{\"a\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[0,1]}}", 1), "a",
                "dtype \"F4\" is not supported");
    }

    @Test
    void reversedOffsets() throws IOException {
        assertMentions(reject("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4), "a",
                "end before they begin");
    }

    @Test
    void malformedEntries() throws IOException {
        assertMentions(reject("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "a", "no \"dtype\"");
        assertMentions(reject("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "a", "no \"shape\"");
        assertMentions(reject("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "a", "no \"data_offsets\"");
        assertMentions(reject("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "a",
                "\"shape\" holds -1");
        assertMentions(reject("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", 4), "a",
                "\"shape\" holds 1.0");
        assertMentions(reject("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4), "a",
                "\"data_offsets\" is not an array of 2");
        assertMentions(reject("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}",
                4), "a", "too large");
        assertMentions(reject("{\"a\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}",
                4), "a", "is too large");
        assertMentions(reject("{\"a\":[1,2]}", 0), "a", "not a JSON object");
        assertMentions(reject("{\"a\":{\"dtype\":3,\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "a", "not a string");
    }

    @Test
    void malformedHeaders() throws IOException {
        assertMentions(reject("[1,2]", 0), null, "does not start with '{'");
        assertMentions(reject("", 0), null, "does not start with '{'");
        assertMentions(reject("{\"a\":", 0), null, "not valid JSON", "unexpected end");
        assertMentions(reject("{} x", 0), null, "not valid JSON", "after the JSON value");
        assertMentions(reject("{\"a\":{},\"a\":{}}", 0), null, "duplicate key \"a\"");
        assertMentions(reject("{\"a\":{\"dtype\":\"F32\",},}", 0), null, "not valid JSON");
        assertMentions(reject("{\"__metadata__\":{\"k\":1}}", 0), null, "metadata value of \"k\" is not a string");
        assertMentions(reject("{\"__metadata__\":[]}", 0), null, "\"__metadata__\" is not a JSON object");
        assertMentions(reject("{\"\\ud800\":1}", 0), null, "lone high surrogate");
        assertMentions(reject("{\"a\tb\":1}", 0), null, "control character");
        assertMentions(reject("[".repeat(200), 0), null, "does not start with '{'");
        assertMentions(reject("{\"a\":" + "[".repeat(200) + "]".repeat(200) + "}", 0), null, "nested deeper");

        byte[] invalidUtf8 = Fixtures.rawFile("{\"a\":1}", new byte[0]);
        invalidUtf8[10] = (byte) 0xC3; // a lead byte without its continuation
        assertMentions(rejectFile(write("utf8.safetensors", invalidUtf8)), null, "not valid UTF-8");
    }

    /** What serde_json (the reference reader's JSON library) rejects and a default Jackson tree would accept. */
    @Test
    void negativeZeroAndUnpairedSurrogatesAreRejectedLikeTheReference() throws IOException {
        assertMentions(reject("{\"a\":{\"dtype\":\"U8\",\"shape\":[-0],\"data_offsets\":[0,0]}}", 0), "a",
                "\"shape\" holds -0.0, not a non-negative integer");
        assertMentions(reject("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[-0,0]}}", 0), "a",
                "\"data_offsets\" holds -0.0");
        assertMentions(reject("{\"\\udc00\":1}", 0), null, "lone low surrogate");
        assertMentions(reject("{\"__metadata__\":{\"k\":\"x\\ud800\"}}", 0), null, "lone high surrogate \\ud800");
        assertMentions(reject("{\"__metadata__\":{\"k\":\"\\udc00\"}}", 0), null, "lone low surrogate \\udc00");
        assertMentions(reject("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"x\":[\"\\ud800\"]}}", 1),
                null, "lone high surrogate");
        assertMentions(reject("{} {}", 0), null, "not valid JSON", "after the JSON value");
        assertMentions(reject("{}]", 0), null, "not valid JSON", "after the JSON value");
        assertMentions(reject("{\"a\":" + "[".repeat(127) + "]".repeat(127) + "}", 0), "a", "not a JSON object");
        assertMentions(reject("{\"a\":{\"dtype\":\"U8\",\"shape\":[9223372036854775808],\"data_offsets\":[0,1]}}", 1),
                "a", "holds 9223372036854775808, which is too large");

        Path paired = write("paired.safetensors", Fixtures.rawFile(
                "{\"__metadata__\":{\"k\":\"\\ud83d\\ude42 \\u00e9 \\/\"}}", new byte[0]));
        try (SafetensorsFile read = SafetensorsFile.open(paired)) {
            assertEquals(java.util.Map.of("k", "\ud83d\ude42 \u00e9 /"), read.metadata());
        }
    }

    @Test
    void metadataNullAndSpacePaddingAreAccepted() throws IOException {
        Path file = write("ok.safetensors", Fixtures.rawFile("{\"__metadata__\":null}   \n ", new byte[0]));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(java.util.Map.of(), read.metadata());
        }
    }

    @Test
    void missingFileAndUnknownNames() throws IOException {
        assertThrows(NoSuchFileException.class, () -> SafetensorsFile.open(folder.resolve("absent.safetensors")));
        Path file = write("good.safetensors", Fixtures.rawFile(GOOD, new byte[20]));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read.view("nope"));
            assertTrue(e.getMessage().contains("\"nope\""));
        }
    }

    @Test
    void closedFilesRefuseDataAccessButKeepTheHeader() throws IOException {
        Path file = write("good.safetensors", Fixtures.rawFile(GOOD, new byte[20]));
        SafetensorsFile read = SafetensorsFile.open(file);
        read.close();
        read.close(); // idempotent
        assertEquals(3, read.info("a").numel());
        assertThrows(IllegalStateException.class, () -> read.view("a"));
        assertThrows(IllegalStateException.class, () -> read.load("a"));
        assertThrows(IllegalStateException.class, () -> read.sha256("a"));
        assertThrows(IllegalStateException.class, () -> read.rawBytes("a"));
    }

    @Test
    void formatExceptionAboutTheWholeFileHasNoTensor() throws IOException {
        SafetensorsFormatException e = reject("[]", 0);
        assertNull(e.tensor());
    }
}
