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
 * <p>{@link #serial} is the setting for tiny computations, such as the load-time probes of a checkpoint's models:
 * both pools at one thread, so that several such computations can run side by side on their own Java threads.
 *
 * <p>The settings are process-wide: the first of overlapping forwards (or serial sections) switches them, the last
 * one restores what was there before.
 */
public final class CpuThreads {

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
        enter(false);
        try {
            return body.get();
        } finally {
            exit();
        }
    }

    /**
     * Runs {@code body} (and any forward inside it) with ATen and OpenBLAS at one thread each. For tiny, memory-bound
     * work (a 1×1-latent UNet step, a one-token text encoding): there, parallel regions and spinning pool workers
     * cost more than they save. SD1.5 UNet on a 1×1 latent, on 2 busy cores: 0.7 s of CPU on one thread, 1.8 s with
     * a forward's default of ATen 2; the text encoder on one token: 0.1 s against 0.5–1.2 s with OpenBLAS 2.
     */
    public static void serial(Runnable body) {
        enter(true);
        try {
            body.run();
        } finally {
            exit();
        }
    }

    private static synchronized void enter(boolean serial) {
        if (active++ == 0) {
            savedAten = torch.get_num_threads();
            savedBlas = openblas_full.openblas_get_num_threads();
            int threads = serial ? 1 : Math.max(savedAten, savedBlas);
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
