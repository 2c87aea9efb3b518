package dev.easel.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads the libtorch natives once per JVM and applies the thread settings.
 *
 * <p>Every class that calls libtorch should call {@link #load()} first; it is cheap after the first call.
 */
public final class Torch {

    /** JavaCPP's switch between the CPU and the GPU natives (for example {@code -gpu}). */
    private static final String PLATFORM_EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";

    /** System property: {@code false} keeps libtorch's CPU allocations on normal 4 KiB pages (default: huge pages). */
    public static final String HUGE_PAGES_PROPERTY = "easel.hugePages";

    /** c10's switch for transparent huge pages on CPU allocations of 2 MiB or more (c10/core/impl/alloc_cpu.cpp). */
    private static final String THP_ENV = "THP_MEM_ALLOC_ENABLE";

    private static volatile boolean loaded;

    private Torch() {
    }

    /**
     * Loads libtorch (idempotent, thread-safe) and applies {@link ThreadSettings#fromSystemProperties()}.
     *
     * @throws UncheckedIOException when the natives cannot be extracted to the JavaCPP cache
     */
    public static void load() {
        if (loaded) {
            return;
        }
        synchronized (Torch.class) {
            if (loaded) {
                return;
            }
            extractAllNatives();
            Loader.load(torch.class);
            adviseHugePages();
            ThreadSettings.fromSystemProperties().applyLoaded();
            loaded = true;
        }
    }

    /**
     * Has libtorch's CPU allocator {@code madvise(MADV_HUGEPAGE)} every allocation of 2 MiB or more, unless
     * {@value #HUGE_PAGES_PROPERTY} is {@code false} or the environment already sets {@value #THP_ENV}. Fresh memory
     * then faults in 2 MiB pages instead of 4 KiB ones: first-touching the 4.2 GB of float32 weights of an SD1.5
     * checkpoint cost about 1.4 s of page faults on 4 KiB pages against about 0.8 s (the kernel zeroing the pages)
     * on huge pages, on the 2-core test machine. c10 reads the variable once, at the first CPU allocation, so this
     * has to run before any tensor exists. It only matters where the kernel's THP mode is {@code madvise} (the usual
     * default; {@code always} gives huge pages anyway, {@code never} none).
     */
    private static void adviseHugePages() {
        if (!"false".equalsIgnoreCase(System.getProperty(HUGE_PAGES_PROPERTY, "true").trim())
                && System.getenv(THP_ENV) == null) {
            torch.set_env(THP_ENV, "1");
        }
    }

    /** True once {@link #load()} has completed. */
    public static boolean isLoaded() {
        return loaded;
    }

    /**
     * Extracts every native library of the preset before the first one is loaded. JavaCPP otherwise extracts them
     * one at a time, and when libtorch.so is opened before libtorch_cpu.so is in the cache, the dynamic linker may
     * pick up a system libtorch instead and the JVM crashes (docs/java-stack.md, pitfall 10.2).
     */
    private static void extractAllNatives() {
        String folder = "/org/bytedeco/pytorch/" + Loader.getPlatform()
                + System.getProperty(PLATFORM_EXTENSION_PROPERTY, "") + "/";
        try {
            Loader.cacheResources(torch.class, folder);
        } catch (IOException e) {
            throw new UncheckedIOException("could not extract the libtorch natives from " + folder
                    + " to the JavaCPP cache (set -Dorg.bytedeco.javacpp.cachedir to a writable folder)", e);
        }
    }
}
