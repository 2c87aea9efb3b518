package dev.easel.runtime;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory figures for the scheduler and {@code /system_stats}: resident host memory of this process, total host
 * memory, and free/total memory of a CUDA device.
 *
 * <p>Host figures come from Linux's {@code /proc}, which is cheap enough to read before every node; other systems get
 * the JVM's (coarser) view.
 */
public final class MemoryStats {

    private static final Path STATM = Path.of("/proc/self/statm");
    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private static final long PAGE_SIZE = pageSize();

    /** Resident set size of this process in bytes: native (libtorch) memory included. */
    public long hostResidentBytes() {
        try {
            return parseStatmResidentPages(Files.readString(STATM)) * PAGE_SIZE;
        } catch (IOException | RuntimeException e) {
            // Not Linux (or /proc hidden): the Java heap in use is the best lower bound left.
            Runtime rt = Runtime.getRuntime();
            return rt.totalMemory() - rt.freeMemory();
        }
    }

    /** Physical memory of the machine in bytes. */
    public long hostTotalBytes() {
        try {
            return parseMemTotalKib(Files.readString(MEMINFO)) * 1024;
        } catch (IOException | RuntimeException e) {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize();
        }
    }

    /** Free bytes on {@code device}, or -1 for the CPU. */
    public long deviceFreeBytes(ComputeDevice device) {
        return device.isCuda() ? CudaMemory.freeAndTotal(device.index())[0] : -1;
    }

    /** Total bytes on {@code device}, or -1 for the CPU. */
    public long deviceTotalBytes(ComputeDevice device) {
        return device.isCuda() ? CudaMemory.freeAndTotal(device.index())[1] : -1;
    }

    /** The resident page count: the second field of {@code /proc/self/statm} (see proc(5)). */
    static long parseStatmResidentPages(String statm) {
        String[] fields = statm.trim().split("\\s+");
        if (fields.length < 2) {
            throw new IllegalArgumentException("unexpected /proc/self/statm content: " + statm);
        }
        return Long.parseLong(fields[1]);
    }

    /** The {@code MemTotal:} line of {@code /proc/meminfo}, in KiB. */
    static long parseMemTotalKib(String meminfo) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] fields = line.substring("MemTotal:".length()).trim().split("\\s+");
                return Long.parseLong(fields[0]);
            }
        }
        throw new IllegalArgumentException("no MemTotal line in /proc/meminfo");
    }

    /**
     * The OS page size. Java has no public API for it; {@code sun.misc.Unsafe} (opened by the jdk.unsupported module)
     * reports it. 4 KiB, the size on every common Linux target, is the fallback.
     */
    private static long pageSize() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return ((Number) unsafeClass.getMethod("pageSize").invoke(field.get(null))).longValue();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 4096;
        }
    }
}
