package dev.easel.caching;

import dev.easel.engine.cache.CacheKey;
import dev.easel.engine.cache.CachedOutputs;
import dev.easel.engine.cache.OutputCache.NodeCost;
import dev.easel.node.RefCounted;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.Torch;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.global.torch;

/** Small helpers: keys, tensors owned by the test (one reference), entries and costs. */
final class Fixtures {

    static final long MS = 1_000_000L;

    private Fixtures() {
    }

    static CacheKey key(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return new CacheKey(HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A float tensor of {@code bytes} bytes, every element {@code fill}; the test owns its one reference. */
    static TensorRef tensor(long bytes, double fill) {
        Torch.load();
        try (PointerScope scope = new PointerScope()) {
            TensorRef ref = TensorRef.of(torch.full(new long[] {bytes / 4}, new Scalar(fill)));
            ref.retain();
            return ref;
        }
    }

    /** A tensor of distinct values 0, 1, 2, ... reshaped to {@code shape}; the test owns its one reference. */
    static TensorRef arange(long... shape) {
        Torch.load();
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        try (PointerScope scope = new PointerScope()) {
            TensorRef ref = TensorRef.of(torch.arange(new Scalar(n)).to(torch.ScalarType.Float).reshape(shape));
            ref.retain();
            return ref;
        }
    }

    /** The first element of a tensor. */
    static double first(TensorRef ref) {
        try (PointerScope scope = new PointerScope()) {
            return ref.tensor().flatten().get(0).item().toDouble();
        }
    }

    static boolean sameValues(TensorRef a, TensorRef b) {
        try (PointerScope scope = new PointerScope()) {
            return a.dtype() == b.dtype() && java.util.Arrays.equals(a.shape(), b.shape())
                    && a.tensor().equal(b.tensor());
        }
    }

    /** One slot holding {@code value}, its hash made from {@code name}. */
    static CachedOutputs outputs(String name, Object value) {
        return new CachedOutputs(List.of(List.of(value)), List.of("hash-" + name), Map.of());
    }

    static NodeCost cost(long computeNanos) {
        return new NodeCost("TestNode", computeNanos, false);
    }

    static NodeCost modelCost(long computeNanos) {
        return new NodeCost("CheckpointLoaderSimple", computeNanos, true);
    }

    /** What the engine does with a node's outputs: puts them, then drops its own reference. */
    static void putAndDrop(TieredOutputCache cache, String name, RefCounted value, NodeCost cost) {
        cache.put(key(name), outputs(name, value), cost);
        value.release();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> tier(Map<String, Object> stats, String tier) {
        return (Map<String, Object>) ((Map<String, Object>) stats.get("tiers")).get(tier);
    }

    static long number(Map<String, Object> map, String field) {
        return ((Number) map.get(field)).longValue();
    }
}
