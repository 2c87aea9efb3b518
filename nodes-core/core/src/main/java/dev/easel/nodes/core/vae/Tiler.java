package dev.easel.nodes.core.vae;

import static org.bytedeco.pytorch.global.torch.zeros;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Overlapping-tile evaluation of a resolution-changing function with a linear feather, following the semantics of
 * ComfyUI's {@code comfy.utils.tiled_scale} (2-D case): tile origins step by {@code tile − overlap} from 0 while below
 * {@code size − overlap} (the last one clamped so it ends at the border), every tile result is weighted by a mask
 * that ramps (t+1)/feather over the first and last {@code feather = round(overlap · scale)} output rows and columns
 * (skipped along an axis the tile is not longer than), and the output is Σ(result·mask) / Σ(mask). An input that fits
 * in one tile is passed through whole.
 */
final class Tiler {

    /** The per-tile function: input [1, C, h, w] → output [1, C', h·scale, w·scale] (float32, CPU). */
    @FunctionalInterface
    interface Fn {
        Tensor apply(Tensor tile);
    }

    private Tiler() {
    }

    /**
     * Tiles one batch element.
     *
     * @param s input {@code [1, C, H, W]}
     * @param tileH tile height in input cells
     * @param tileW tile width in input cells
     * @param overlap overlap in input cells
     * @param scale output cells per input cell (8 for decoding, 1/8 for encoding)
     * @param outChannels channels of {@code fn}'s output
     * @return float32 CPU {@code [1, outChannels, round(H·scale), round(W·scale)]}, in the caller's scope
     */
    static Tensor tiledScale(Tensor s, Fn fn, int tileH, int tileW, int overlap, double scale, int outChannels) {
        long hh = s.size(2);
        long ww = s.size(3);
        if (hh <= tileH && ww <= tileW) {
            return fn.apply(s);
        }
        long outH = round(hh * scale);
        long outW = round(ww * scale);
        TensorOptions f32 = new TensorOptions(ScalarType.Float);
        Tensor out = zeros(new long[] {1, outChannels, outH, outW}, f32);
        Tensor weight = zeros(new long[] {1, 1, outH, outW}, f32);
        long feather = round(overlap * scale);
        for (long y : positions(hh, tileH, overlap)) {
            for (long x : positions(ww, tileW, overlap)) {
                try (PointerScope tileScope = new PointerScope()) {
                    long py = Math.max(0, Math.min(hh - overlap, y));
                    long px = Math.max(0, Math.min(ww - overlap, x));
                    long ly = Math.min(tileH, hh - py);
                    long lx = Math.min(tileW, ww - px);
                    Tensor ps = fn.apply(s.narrow(2, py, ly).narrow(3, px, lx).contiguous());
                    long ph = ps.size(2);
                    long pw = ps.size(3);
                    Tensor mask = ramp(ph, feather).reshape(1, 1, ph, 1).mul(ramp(pw, feather).reshape(1, 1, 1, pw));
                    long oy = round(py * scale);
                    long ox = round(px * scale);
                    out.narrow(2, oy, ph).narrow(3, ox, pw).add_(ps.mul(mask));
                    weight.narrow(2, oy, ph).narrow(3, ox, pw).add_(mask);
                }
            }
        }
        return out.div(weight);
    }

    /** Tile origins along one axis: {@code range(0, size − overlap, tile − overlap)}, or just 0 when one tile fits. */
    static List<Long> positions(long size, int tile, int overlap) {
        List<Long> out = new ArrayList<>();
        if (size <= tile) {
            out.add(0L);
            return out;
        }
        int step = tile - overlap;
        if (step <= 0) {
            throw new IllegalArgumentException("tile " + tile + " must be larger than the overlap " + overlap);
        }
        for (long p = 0; p < size - overlap; p += step) {
            out.add(p);
        }
        return out;
    }

    /** The 1-D feather weights of a tile edge of {@code length} cells (all 1 when the feather does not fit). */
    static Tensor ramp(long length, long feather) {
        float[] w = new float[(int) length];
        java.util.Arrays.fill(w, 1f);
        if (feather < length) {
            for (long t = 0; t < feather; t++) {
                float a = (float) ((t + 1) / (double) feather);
                w[(int) t] *= a;
                w[(int) (length - 1 - t)] *= a;
            }
        }
        return Tensor.create(w, length);
    }

    /** Python's round() (half to even). */
    private static long round(double v) {
        return (long) Math.rint(v);
    }
}
