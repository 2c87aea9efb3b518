package dev.easel.trainer;

import dev.easel.runtime.Torch;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.global.torch;

/**
 * Thread setting for training: convolutions (and the UNet's linear layers, run as 1×1 convolutions) go through
 * ATen's OpenMP pool, so it gets the threads and OpenBLAS one, to avoid two pools of spinning workers competing
 * (java-stack §1.5).
 */
final class TrainThreads {

    private TrainThreads() {
    }

    static void set(int threads) {
        Torch.load();
        torch.set_num_threads(Math.max(1, threads));
        openblas_full.openblas_set_num_threads(1);
    }
}
