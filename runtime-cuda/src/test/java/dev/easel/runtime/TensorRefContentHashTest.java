package dev.easel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TensorRefContentHashTest {

    @BeforeAll
    static void loadTorch() {
        Torch.load();
    }

    private static String hash(java.util.function.Supplier<org.bytedeco.pytorch.Tensor> make) {
        try (PointerScope scope = new PointerScope()) {
            return TensorRef.of(make.get()).contentHash();
        }
    }

    @Test
    void equalContentGivesEqualHash() {
        String a = hash(() -> torch.arange(new org.bytedeco.pytorch.Scalar(12)).to(ScalarType.Float).reshape(3, 4));
        String b = hash(() -> torch.arange(new org.bytedeco.pytorch.Scalar(12)).to(ScalarType.Float).reshape(3, 4));
        assertEquals(a, b);
        assertEquals(64, a.length());
    }

    @Test
    void dtypeShapeAndBytesEachChangeTheHash() {
        String base = hash(() -> torch.zeros(2, 6));
        assertNotEquals(base, hash(() -> torch.zeros(2, 6).to(ScalarType.Double)), "dtype");
        assertNotEquals(base, hash(() -> torch.zeros(3, 4)), "shape");
        assertNotEquals(base, hash(() -> torch.zeros(12)), "rank");
        assertNotEquals(base, hash(() -> torch.eye(2, 6)), "bytes");
        assertNotEquals(base, hash(() -> torch.zeros(2, 6).add(new org.bytedeco.pytorch.Scalar(1e-30))), "tiny change");
    }

    @Test
    void stridedViewHashesLikeItsContiguousCopy() {
        String transposed = hash(() -> torch.arange(new org.bytedeco.pytorch.Scalar(6)).reshape(2, 3).t());
        String copied = hash(() -> torch.arange(new org.bytedeco.pytorch.Scalar(6)).reshape(2, 3).t().contiguous());
        assertEquals(copied, transposed);
        String sliced = hash(() -> torch.arange(new org.bytedeco.pytorch.Scalar(10)).narrow(0, 3, 4));
        String fresh = hash(() -> torch.arange(new org.bytedeco.pytorch.Scalar(3), new org.bytedeco.pytorch.Scalar(7)));
        assertEquals(fresh, sliced, "a view with a storage offset hashes its own elements only");
    }

    @Test
    void hashIsTheDocumentedDigestAndIsKept() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            TensorRef ref = TensorRef.of(torch.ones(2, 3));
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update("easel.tensor.v1\nFloat\n2,3\n".getBytes(StandardCharsets.UTF_8));
            ByteBuffer bytes = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 6; i++) {
                bytes.putFloat(1f);
            }
            md.update(bytes.flip());
            assertEquals(HexFormat.of().formatHex(md.digest()), ref.contentHash());
            assertSame(ref.contentHash(), ref.contentHash(), "computed once");
        }
    }

    @Test
    void emptyTensorHashes() {
        String empty = hash(() -> torch.zeros(0, 3));
        assertTrue(empty.matches("[0-9a-f]{64}"));
        assertNotEquals(empty, hash(() -> torch.zeros(3, 0)));
    }
}
