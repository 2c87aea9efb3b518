package dev.easel.trainer.train;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * SHA-256 over tensors' dtypes, shapes and bytes: an identity for weights or data that does not depend on which file
 * they were read from (a VAE read from its own checkpoint and the same VAE kept frozen in a UNet checkpoint hash
 * alike), so caches derived from them can tell when they are stale.
 */
public final class TensorDigest {

    private static final int CHUNK = 1 << 20;

    private TensorDigest() {
    }

    /** The hex SHA-256 of {@code tensors}, taken in name order (names included). */
    public static String of(Map<String, Tensor> tensors) {
        MessageDigest md = sha256();
        new TreeMap<>(tensors).forEach((name, t) -> {
            md.update(name.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            update(md, t);
        });
        return HexFormat.of().formatHex(md.digest());
    }

    /** Feeds {@code t}'s dtype, shape and bytes (CPU, in row-major order) to {@code md}. */
    public static void update(MessageDigest md, Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            md.update(t.scalar_type().intern().toString().getBytes(StandardCharsets.UTF_8));
            for (long size : t.sizes().vec().get()) {
                md.update(Long.toString(size).getBytes(StandardCharsets.UTF_8));
                md.update((byte) ',');
            }
            Tensor bytes = t.detach().contiguous().view(ScalarType.Byte);
            long n = bytes.numel();
            BytePointer data = bytes.data_ptr_byte();
            byte[] buffer = new byte[(int) Math.min(CHUNK, n)];
            for (long off = 0; off < n; off += buffer.length) {
                int len = (int) Math.min(buffer.length, n - off);
                data.position(off).get(buffer, 0, len);
                md.update(buffer, 0, len);
            }
        }
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }
}
