package dev.easel.nodes.core.sampling.noise;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Brownian motion W on [t0, t1] built as a dyadic tree of Brownian bridges (Lévy's construction; the data
 * structure of Kidger et al. 2021, "Efficient and Accurate Gradients for Neural SDEs", §4 "Brownian Interval", in
 * its seed-only "halfway tree" form), with torchsde's conventions so that a seed gives the same path as the
 * reference ({@code torchsde.BrownianTree(t0, w0, t1, entropy=seed)}: tolerance 1e-6, pool size 24):
 *
 * <ul>
 *   <li>Times are rounded to 6 decimals (round half to even on the exact binary value, as Python's {@code round}).
 *   <li>The root holds W(t1) − W(t0) = √(t1 − t0)·z with z drawn from the first word of
 *       {@code SeedSequence(seed, pool 24)}.
 *   <li>A node [s, e] splits at its rounded midpoint m; its seed words come from
 *       {@code SeedSequence(seed, spawn key (k, depth))} with k = 2·k_parent + (0 left, 1 right), root k = 0, depth 0.
 *       Given the node's increment W, the left child's increment is the bridge sample
 *       W·(m − s)/(e − s) + √((m − s)(e − m)/(e − s))·z (z from the node's first seed word) and the right child's is
 *       W minus it.
 *   <li>An increment over [a, b] is the sum, left to right, of the largest tree intervals that tile [a, b].
 * </ul>
 *
 * Each z is one float32 {@code randn} of the noise shape from a torch generator seeded with the 32-bit seed word; the
 * bridge arithmetic is float32 with double coefficients cast to float, as torch evaluates it. Increments live in
 * Java arrays; the most recently used node increments are cached (the tree itself is only times and seeds).
 */
final class BrownianTree {

    static final int POOL_SIZE = 24;
    private static final int DECIMALS = 6;
    private static final int CACHE_SIZE = 64;

    private final long entropy;
    private final long[] shape;
    private final int numel;
    private final TorchNormal.Drawer normals;
    private final Node root;
    private final float[] rootIncrement;
    private final Map<Node, float[]> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Node, float[]> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    /**
     * @param entropy the seed (unsigned 64-bit in a long's bit pattern)
     * @param shape the shape of W
     * @param t0 start of the interval
     * @param t1 end of the interval, ≥ t0
     * @param device the name of the device whose generator draws the normals (CPU when null)
     */
    BrownianTree(long entropy, long[] shape, double t0, double t1, String device) {
        if (!(t0 <= t1)) {
            throw new IllegalArgumentException("need t0 <= t1, got " + t0 + ", " + t1);
        }
        this.entropy = entropy;
        this.shape = shape.clone();
        this.numel = Math.toIntExact(TorchNormal.numel(shape));
        this.normals = new TorchNormal.Drawer(device);
        this.root = new Node(round(t0), round(t1), null, false);
        root.spawnKey = 0;
        root.depth = 0;
        long[] seeds = new SeedSequence(entropy, new long[0], POOL_SIZE).generateState(3);
        float[] z = normals.draw(seeds[0], shape);
        float scale = (float) Math.sqrt(t1 - t0);
        rootIncrement = new float[numel];
        for (int i = 0; i < numel; i++) {
            rootIncrement[i] = z[i] * scale;
        }
    }

    double start() {
        return root.start;
    }

    double end() {
        return root.end;
    }

    int numel() {
        return numel;
    }

    /**
     * W(tb) − W(ta) for ta ≤ tb; times outside the interval are clamped to it (torchsde warns and clamps). A fresh
     * array.
     */
    float[] increment(double ta, double tb) {
        ta = Math.min(Math.max(ta, root.start), root.end);
        tb = Math.min(Math.max(tb, root.start), root.end);
        if (ta > tb) {
            throw new IllegalArgumentException("need ta <= tb, got " + ta + ", " + tb);
        }
        ta = round(ta);
        tb = round(tb);
        if (ta == tb) {
            return new float[numel];
        }
        List<Node> tiles = new ArrayList<>();
        tile(root, ta, tb, tiles);
        float[] w = tiles.get(0) == root ? rootIncrement.clone() : increment(tiles.get(0)).clone();
        for (int j = 1; j < tiles.size(); j++) {
            float[] wj = increment(tiles.get(j));
            for (int i = 0; i < numel; i++) {
                w[i] += wj[i];
            }
        }
        return w;
    }

    /** Drops the cached increments and the native generator (both come back on the next query). */
    void clearCache() {
        cache.clear();
        normals.close();
    }

    /** The largest tree intervals tiling [ta, tb] ⊆ node, left to right (splitting nodes as needed). */
    private void tile(Node node, double ta, double tb, List<Node> out) {
        while (true) {
            if (ta == node.start && tb == node.end) {
                out.add(node);
                return;
            }
            split(node);
            if (tb <= node.mid) {
                node = node.left;
            } else if (ta >= node.mid) {
                node = node.right;
            } else {
                tile(node.left, ta, node.mid, out);
                node = node.right;
                ta = node.start;
            }
        }
    }

    private void split(Node node) {
        if (node.left != null) {
            return;
        }
        double half = 0.5 * (node.end + node.start);
        node.mid = round(half);
        if (node.parent != null) {
            node.spawnKey = 2 * node.parent.spawnKey + (node.isLeft ? 0 : 1);
            node.depth = node.parent.depth + 1;
        }
        node.seed = new SeedSequence(entropy, new long[] {node.spawnKey, node.depth}, POOL_SIZE).generateState(4)[0];
        if (!(node.start < node.mid && node.mid < node.end)) {
            throw new IllegalStateException("cannot split [" + node.start + ", " + node.end + "] below the tolerance");
        }
        node.left = new Node(node.start, node.mid, node, true);
        node.right = new Node(node.mid, node.end, node, false);
    }

    /** The increment over a node's interval (cached; computed from its parent's by the Brownian bridge). */
    private float[] increment(Node node) {
        if (node == root) {
            return rootIncrement;
        }
        float[] cached = cache.get(node);
        if (cached != null) {
            return cached;
        }
        Node p = node.parent;
        float[] w = increment(p);
        double hInv = 1 / (p.end - p.start);
        double leftLength = p.mid - p.start;
        double rightLength = p.end - p.mid;
        float a = (float) leftLength;
        float b = (float) hInv;
        float c = (float) Math.sqrt(leftLength * rightLength * hInv);
        float[] z = normals.draw(p.seed, shape);
        float[] left = new float[numel];
        float[] right = new float[numel];
        for (int i = 0; i < numel; i++) {
            float mean = w[i] * a * b;
            left[i] = mean + c * z[i];
            right[i] = w[i] - left[i];
        }
        cache.put(p.left, left);
        cache.put(p.right, right);
        return node.isLeft ? left : right;
    }

    /** Python's {@code round(x, 6)}: the double nearest to x rounded half-to-even at 6 decimals of its exact value. */
    static double round(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return x;
        }
        return new BigDecimal(x).setScale(DECIMALS, RoundingMode.HALF_EVEN).doubleValue();
    }

    private static final class Node {
        final double start;
        final double end;
        final Node parent;
        final boolean isLeft;
        double mid = Double.NaN;
        long spawnKey;
        int depth;
        long seed;
        Node left;
        Node right;

        Node(double start, double end, Node parent, boolean isLeft) {
            this.start = start;
            this.end = end;
            this.parent = parent;
            this.isLeft = isLeft;
        }
    }
}
