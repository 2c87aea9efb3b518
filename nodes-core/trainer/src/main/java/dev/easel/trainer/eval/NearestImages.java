package dev.easel.trainer.eval;

import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The k nearest candidates of each query by squared L2 distance over all their values (for images: RGB pixels),
 * computed as {@code ‖a‖² − 2a·b + ‖b‖²}: one matrix product per chunk of candidates, in float64 so that
 * distances of 8-bit images (up to ~8·10⁸) stay exact enough to order.
 */
public final class NearestImages {

    /** Candidates per matrix product: bounds the float64 copy of a chunk of 64×64 images to ~100 MB. */
    static final int CHUNK = 1024;

    private NearestImages() {
    }

    /**
     * The neighbours, nearest first.
     *
     * @param indices   {@code [query][rank]}: candidate indices
     * @param distances {@code [query][rank]}: their squared L2 distances
     */
    public record Neighbours(long[][] indices, double[][] distances) {
    }

    /**
     * The {@code k} nearest rows of {@code candidates} ({@code [N, ...]}) for each row of {@code queries}
     * ({@code [Q, ...]}, the same trailing shape; any dtype). Ties go to either.
     */
    public static Neighbours find(Tensor queries, Tensor candidates, int k) {
        long n = candidates.size(0);
        long q = queries.size(0);
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k must be in 1.." + n + ", not " + k);
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor a = queries.reshape(q, -1).to(ScalarType.Double);
            if (a.size(1) != candidates.numel() / Math.max(1, n)) {
                throw new IllegalArgumentException("queries and candidates differ in size per item");
            }
            Tensor aNorm = a.mul(a).sum(new long[] {1}, true, new ScalarTypeOptional()); // [Q, 1]
            TensorVector parts = new TensorVector();
            for (long start = 0; start < n; start += CHUNK) {
                long size = Math.min(CHUNK, n - start);
                Tensor b = candidates.narrow(0, start, size).reshape(size, -1).to(ScalarType.Double);
                Tensor bNorm = b.mul(b).sum(new long[] {1}, false, new ScalarTypeOptional());
                // ‖a‖² + ‖b‖² − 2ab, with the product in one BLAS call
                parts.push_back(torch.addmm(aNorm.add(bNorm.unsqueeze(0)), a, b.t(), new Scalar(1.0),
                        new Scalar(-2.0)));
            }
            Tensor distances = torch.cat(parts, 1); // [Q, N]
            T_TensorTensor_T top = distances.topk(k, 1, false, true);
            long[] flatIndices = new long[(int) (q * k)];
            double[] flatDistances = new double[(int) (q * k)];
            top.get1().contiguous().data_ptr_long().get(flatIndices);
            top.get0().contiguous().data_ptr_double().get(flatDistances);
            long[][] indices = new long[(int) q][];
            double[][] nearest = new double[(int) q][];
            for (int i = 0; i < q; i++) {
                indices[i] = Arrays.copyOfRange(flatIndices, i * k, (i + 1) * k);
                nearest[i] = Arrays.copyOfRange(flatDistances, i * k, (i + 1) * k);
            }
            return new Neighbours(indices, nearest);
        }
    }
}
