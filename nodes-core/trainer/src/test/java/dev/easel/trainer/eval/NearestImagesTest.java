package dev.easel.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.easel.runtime.Torch;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** The matrix-product search agrees with a brute-force loop, across chunk borders. */
class NearestImagesTest {

    @Test
    void findsTheSameNeighboursAsABruteForceLoop() {
        Torch.load();
        java.util.Random random = new java.util.Random(7);
        int n = NearestImages.CHUNK * 2 + 37; // three chunks, the last one partial
        int q = 9;
        int dims = 2 * 3 * 4;
        double[][] candidates = new double[n][dims];
        double[][] queries = new double[q][dims];
        for (double[] row : candidates) {
            Arrays.setAll(row, i -> random.nextInt(256));
        }
        for (double[] row : queries) {
            Arrays.setAll(row, i -> random.nextInt(256));
        }
        int k = 5;
        NearestImages.Neighbours found;
        try (PointerScope scope = new PointerScope()) {
            found = NearestImages.find(tensor(queries, new long[] {q, 2, 3, 4}),
                    tensor(candidates, new long[] {n, 2, 3, 4}), k);
        }
        for (int i = 0; i < q; i++) {
            double[] a = queries[i];
            double[] distances = Arrays.stream(candidates).mapToDouble(b -> squaredL2(a, b)).toArray();
            int[] order = IntStream.range(0, n).boxed().sorted(Comparator.comparingDouble(j -> distances[j]))
                    .mapToInt(Integer::intValue).toArray();
            double[] expected = new double[k];
            for (int r = 0; r < k; r++) {
                expected[r] = distances[order[r]];
                // ties may swap indices; the distance at each rank must be the same
                assertEquals(distances[(int) found.indices()[i][r]], found.distances()[i][r], 0.0);
            }
            assertArrayEquals(expected, found.distances()[i], 0.0, "query " + i);
            if (expected[0] != expected[1]) {
                assertEquals(order[0], found.indices()[i][0], "query " + i);
            }
        }
    }

    @Test
    void anItemIsItsOwnNearestNeighbourAtDistanceZero() {
        Torch.load();
        try (PointerScope scope = new PointerScope()) {
            Tensor images = torch.randint(256, new long[] {50, 3, 64, 64}, new TensorOptions(ScalarType.Byte));
            long[] picks = {0, 17, 49};
            Tensor queries = images.index_select(0, torch.tensor(picks));
            NearestImages.Neighbours found = NearestImages.find(queries, images, 2);
            for (int i = 0; i < picks.length; i++) {
                assertEquals(picks[i], found.indices()[i][0]);
                assertEquals(0.0, found.distances()[i][0], 0.0);
                assertEquals(true, found.distances()[i][1] > 0);
            }
        }
    }

    private static double squaredL2(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return sum;
    }

    private static Tensor tensor(double[][] rows, long[] shape) {
        double[] flat = Arrays.stream(rows).flatMapToDouble(Arrays::stream).toArray();
        return torch.from_blob(new DoublePointer(flat), shape, new TensorOptions(ScalarType.Double)).clone();
    }
}
