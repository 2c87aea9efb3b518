package dev.easel.runtime;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.global.torch;

/**
 * The two CPU thread pools libtorch uses: ATen's intra-op pool (OpenMP: convolutions, norms, attention) and OpenBLAS's
 * own pool (matmul, linear), which ignores {@code at::set_num_threads}.
 *
 * <p>The defaults come from measurements on a 2-core machine (docs/java-stack.md §1.2, §1.5): ATen at 1 thread and
 * OpenBLAS at one thread per core was fastest; more ATen threads made the OpenMP and OpenBLAS spinners fight over the
 * same cores.
 *
 * @param atenThreads ATen intra-op threads, at least 1
 * @param blasThreads OpenBLAS threads, at least 1
 */
public record ThreadSettings(int atenThreads, int blasThreads) {

    /** System property overriding the ATen intra-op thread count. */
    public static final String ATEN_PROPERTY = "easel.threads.aten";
    /** System property overriding the OpenBLAS thread count. */
    public static final String BLAS_PROPERTY = "easel.threads.blas";

    public ThreadSettings {
        if (atenThreads < 1) {
            throw new IllegalArgumentException("ATen threads must be at least 1: " + atenThreads);
        }
        if (blasThreads < 1) {
            throw new IllegalArgumentException("OpenBLAS threads must be at least 1: " + blasThreads);
        }
    }

    /** ATen 1 thread, OpenBLAS one thread per physical core. */
    public static ThreadSettings defaults() {
        return new ThreadSettings(1, physicalCores());
    }

    /** The defaults, overridden by {@value #ATEN_PROPERTY} and {@value #BLAS_PROPERTY} where set. */
    public static ThreadSettings fromSystemProperties() {
        ThreadSettings d = defaults();
        return new ThreadSettings(intProperty(ATEN_PROPERTY, d.atenThreads), intProperty(BLAS_PROPERTY, d.blasThreads));
    }

    /** Loads libtorch if needed and applies these settings to both pools. */
    public void apply() {
        Torch.load();
        applyLoaded();
    }

    /** Applies the settings; libtorch must already be loaded. */
    void applyLoaded() {
        torch.set_num_threads(atenThreads);
        openblas_full.openblas_set_num_threads(blasThreads);
    }

    /** The pools' current sizes as libtorch and OpenBLAS report them. */
    public static ThreadSettings current() {
        Torch.load();
        return new ThreadSettings(torch.get_num_threads(), openblas_full.openblas_get_num_threads());
    }

    /**
     * Physical cores (hyper-threads do not speed up BLAS), but no more than the JVM may use (container CPU limits).
     */
    static int physicalCores() {
        int usable = Runtime.getRuntime().availableProcessors();
        int cores = Loader.totalCores();
        return cores > 0 ? Math.min(cores, usable) : usable;
    }

    private static int intProperty(String name, int fallback) {
        String raw = System.getProperty(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < 1) {
                throw new IllegalArgumentException("-D" + name + " must be a positive integer, got '" + raw + "'");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be a positive integer, got '" + raw + "'", e);
        }
    }
}
