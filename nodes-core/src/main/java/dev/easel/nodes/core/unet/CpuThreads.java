package dev.easel.nodes.core.unet;

import java.util.function.Supplier;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The thread setting of a CPU UNet forward. Everything heavy in it (convolutions, the 1x1-convolution form of the
 * linear layers, attention) runs in ATen's OpenMP pool through oneDNN, which scales with that pool; OpenBLAS is then
 * not needed, and its own spinning workers would compete with the OpenMP ones. So while a forward runs, ATen gets
 * as many threads as either pool had (the process default is ATen 1 / OpenBLAS one per core) and OpenBLAS one.
 * Measured on 2 cores (SD1.5 UNet, batch 2, 64x64): 17.8 s at ATen 1 / OpenBLAS 2, 11.7 s at ATen 2 / OpenBLAS 1.
 *
 * <p>The settings are process-wide: the first of overlapping forwards switches them, the last one restores what was
 * there before.
 */
final class CpuThreads {

    private static int active;
    private static int savedAten;
    private static int savedBlas;

    private CpuThreads() {
    }

    /** Runs {@code body} with the forward's thread setting when {@code cpu}, else as is. */
    static Tensor compute(boolean cpu, Supplier<Tensor> body) {
        if (!cpu) {
            return body.get();
        }
        enter();
        try {
            return body.get();
        } finally {
            exit();
        }
    }

    private static synchronized void enter() {
        if (active++ == 0) {
            savedAten = torch.get_num_threads();
            savedBlas = openblas_full.openblas_get_num_threads();
            int threads = Math.max(savedAten, savedBlas);
            if (threads != savedAten) {
                torch.set_num_threads(threads);
            }
            if (savedBlas != 1) {
                openblas_full.openblas_set_num_threads(1);
            }
        }
    }

    private static synchronized void exit() {
        if (--active == 0) {
            if (torch.get_num_threads() != savedAten) {
                torch.set_num_threads(savedAten);
            }
            if (openblas_full.openblas_get_num_threads() != savedBlas) {
                openblas_full.openblas_set_num_threads(savedBlas);
            }
        }
    }
}
