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
            ThreadSettings.fromSystemProperties().applyLoaded();
            loaded = true;
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
