package dev.easel.nodes.core.image;

import static dev.easel.nodes.core.tensor.TensorOps.scalar;

import dev.easel.nodes.core.tensor.TensorOps;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * ComfyUI's Lanczos resize ({@code comfy.utils.lanczos}), which goes through Pillow: pixels are truncated to 8 bits,
 * resized with {@code Image.resize(..., LANCZOS)}, and divided by 255. This reproduces Pillow's algorithm
 * (libImaging/Resample.c): a separable Lanczos-3 filter whose support widens when downscaling, coefficients
 * normalized per output pixel and rounded to 22-bit fixed point, a horizontal pass then a vertical pass, each rounded
 * and clamped to 8 bits. The sums are done in float64, where they are exact, so the bytes match Pillow's integer
 * arithmetic. Channels are resampled independently (Pillow premultiplies alpha for RGBA, which is not reproduced).
 */
final class LanczosResampler {

    /** Pillow's {@code PRECISION_BITS} for 8-bit images: 32 - 8 - 2. */
    private static final int PRECISION_BITS = 22;
    private static final double SUPPORT = 3.0;
    /** Elements per chunk of the gathered taps, to bound memory on large images (256 MiB of doubles). */
    private static final long CHUNK_ELEMENTS = 32L << 20;

    private LanczosResampler() {
    }

    static Tensor resize(Tensor bchw, long width, long height) {
        Tensor pixels = TensorOps.toBytes(bchw).to(ScalarType.Double);
        if (width != pixels.size(3)) {
            pixels = resampleLastAxis(pixels, width);
        }
        if (height != pixels.size(2)) {
            pixels = resampleLastAxis(pixels.transpose(2, 3), height).transpose(2, 3);
        }
        return pixels.to(bchw.scalar_type()).div(scalar(255.0));
    }

    /** One pass of Pillow's {@code ResampleHorizontal_8bpc} along the last axis. */
    private static Tensor resampleLastAxis(Tensor pixels, long outSize) {
        Coefficients c = Coefficients.of((int) pixels.size(3), (int) outSize);
        Tensor taps = Tensor.create(c.index).to(pixels.device(), ScalarType.Long);
        Tensor weights = Tensor.create(c.weights, outSize, c.ksize).to(pixels.device(), ScalarType.Double);
        long rows = pixels.size(2);
        long perRow = pixels.size(0) * pixels.size(1) * outSize * c.ksize;
        long rowsPerChunk = Math.max(1, CHUNK_ELEMENTS / Math.max(1, perRow));
        List<Tensor> chunks = new ArrayList<>();
        for (long start = 0; start < rows; start += rowsPerChunk) {
            Tensor part = pixels.narrow(2, start, Math.min(rowsPerChunk, rows - start));
            Tensor gathered = part.index_select(3, taps)
                    .view(part.size(0), part.size(1), part.size(2), outSize, c.ksize);
            Tensor sums = gathered.mul(weights).sum(-1);
            // clip8((sum + 2^21) >> 22): round half up, then clamp to a byte.
            chunks.add(TensorOps.clamp(sums.add(scalar(1 << (PRECISION_BITS - 1)))
                    .div(scalar(1 << PRECISION_BITS)).floor(), 0, 255));
        }
        return chunks.size() == 1 ? chunks.get(0) : torch.cat(new TensorVector(chunks.toArray(new Tensor[0])), 2);
    }

    /** Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for one axis. */
    private static final class Coefficients {
        final int ksize;
        /** Input index of each tap, {@code [out * ksize]}; unused taps point at a valid pixel with weight 0. */
        final long[] index;
        /** Fixed-point weight of each tap (an integer, as a double). */
        final double[] weights;

        private Coefficients(int ksize, long[] index, double[] weights) {
            this.ksize = ksize;
            this.index = index;
            this.weights = weights;
        }

        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            long[] index = new long[outSize * ksize];
            double[] weights = new double[outSize * ksize];
            double[] k = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    k[x] = lanczos((x + xmin - center + 0.5) * ss);
                    ww += k[x];
                }
                for (int x = 0; x < ksize; x++) {
                    int at = xx * ksize + x;
                    index[at] = x < xmax ? xmin + x : xmin;
                    double normalized = x < xmax && ww != 0.0 ? k[x] / ww : (x < xmax ? k[x] : 0.0);
                    // C's (int) cast truncates toward zero after the +-0.5, as Java's does.
                    weights[at] = normalized < 0
                            ? (int) (-0.5 + normalized * (1 << PRECISION_BITS))
                            : (int) (0.5 + normalized * (1 << PRECISION_BITS));
                }
            }
            return new Coefficients(ksize, index, weights);
        }

        private static double lanczos(double x) {
            return -SUPPORT <= x && x < SUPPORT ? sinc(x) * sinc(x / SUPPORT) : 0.0;
        }

        private static double sinc(double x) {
            if (x == 0.0) {
                return 1.0;
            }
            double px = x * Math.PI;
            return Math.sin(px) / px;
        }
    }
}
