package dev.easel.nodes.core.model;

import dev.easel.runtime.safetensors.TensorInfo;
import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Reads the tensors of a safetensors file into fresh tensors of one dtype, without keeping the file mapped, on up to
 * {@link #THREADS} threads.
 *
 * <p>Where the time goes (SD1.5: 2.1 GB of float16 to 4.2 GB of float32, 2-core test machine, page cache warm): most
 * of it is the kernel zeroing the 4.2 GB of fresh memory as it is first touched, then the float16 to float32
 * conversion; getting the bytes out of the page cache is the smallest part. Hence:
 * <ul>
 *   <li>the results are views of a few large blocks ({@link #allocate}), which fault in as 2 MiB huge pages (with
 *       {@code Torch}'s huge-page switch) instead of 4 KiB pages;</li>
 *   <li>the file is read in windows of {@link #WINDOW} bytes: a window whose pages are all in the page cache is
 *       mapped and converted in place, with no copy into a staging buffer, and unmapped right after, so the peak
 *       memory stays the result plus a few MiB. Any other window (a cold file: faulting it in through a mapping would
 *       read it in small pieces), and every window where prompt unmapping is not available, is read with positioned
 *       reads into a staging buffer. A tensor that needs no conversion is read straight into its result;</li>
 *   <li>two threads share the tensors, largest first.</li>
 * </ul>
 * A window is mapped only while it is converted. As with any loader that maps safetensors files, a file truncated in
 * that moment would fault the process; a file that is already shorter than its header says is caught (the missing
 * pages are not resident, so they are read, and the read ends early: {@link EOFException}).
 */
final class SafetensorsReading {

    /** Threads reading one file: the work is memory-bound, and two cores were the test machine's. */
    static final int THREADS = 2;
    /** Bytes converted at a time; a multiple of every item size, and small enough for a staging buffer in cache. */
    static final long WINDOW = 4L << 20;

    /** Most bytes of results that share one allocation (see {@link #allocate}). */
    static final long BLOCK = 256L << 20;
    /** Where each result starts in its block: c10's CPU alignment. */
    private static final long ALIGNMENT = 64;

    /** {@code sun.misc.Unsafe.invokeCleaner(ByteBuffer)}: unmaps a mapping now rather than at some later GC. */
    private static final MethodHandle UNMAP = findUnmap();

    private SafetensorsReading() {
    }

    /**
     * Fills {@code results} (index by index with {@code infos}; one JavaCPP reference each, which the caller owns,
     * also when this fails) with {@link #allocate allocated} tensors read from the file. Large tensors go first, so
     * that the threads finish together.
     */
    static void readAll(Path file, FileChannel channel, List<TensorInfo> infos, ScalarType dtype, Tensor[] results)
            throws IOException {
        readAll(file, channel, infos, dtype, results, UNMAP != null);
    }

    /** {@link #readAll}, mapping resident windows only when {@code mapResident} (tests compare both ways). */
    static void readAll(Path file, FileChannel channel, List<TensorInfo> infos, ScalarType dtype, Tensor[] results,
                        boolean mapResident) throws IOException {
        if (mapResident && UNMAP == null) {
            throw new IllegalStateException("this JVM cannot unmap a mapping on demand");
        }
        Integer[] order = new Integer[infos.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong((Integer i) -> infos.get(i).byteSize()).reversed());
        allocate(infos, dtype, results);
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            try (Windows windows = new Windows(file, channel, mapResident)) {
                for (int k = next.getAndIncrement(); k < order.length && failure.get() == null;
                     k = next.getAndIncrement()) {
                    int i = order[k];
                    fill(windows, infos.get(i), results[i]);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        runOnThreads(file, worker, (int) Math.min(Math.min(THREADS, Runtime.getRuntime().availableProcessors()),
                infos.size()));
        rethrow(file, failure.get());
    }

    /** Runs {@code worker} on this thread and {@code threads - 1} helpers, and waits for all of them. */
    private static void runOnThreads(Path file, Runnable worker, int threads) {
        List<Thread> helpers = new ArrayList<>();
        for (int i = 1; i < threads; i++) {
            Thread helper = new Thread(worker, "easel-read-" + file.getFileName() + "-" + i);
            helper.setDaemon(true);
            helper.start();
            helpers.add(helper);
        }
        worker.run();
        boolean interrupted = false;
        for (Thread helper : helpers) {
            while (true) {
                try {
                    helper.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // finish reading first: the helpers write into the results
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void rethrow(Path file, Throwable t) throws IOException {
        if (t instanceof IOException io) {
            throw io;
        } else if (t instanceof RuntimeException r) {
            throw r;
        } else if (t instanceof Error e) {
            throw e;
        } else if (t != null) {
            throw new IOException(file + ": " + t, t);
        }
    }

    /**
     * Allocates the results (one JavaCPP reference each), uninitialised, as views of shared blocks: tensors whose
     * names have the same first segment ({@code model}, {@code cond_stage_model}, ...: the granularity at which
     * models take and release weights) are packed in file order into blocks of up to {@link #BLOCK} bytes; a larger
     * tensor gets a block of its own. A block is freed with its last view. Few, large allocations fault in almost
     * entirely as 2 MiB huge pages, where one allocation per tensor leaves up to 2 MiB at either end on 4 KiB pages
     * (about 0.8 GB of SD1.5's 4.2 GB).
     */
    private static void allocate(List<TensorInfo> infos, ScalarType dtype, Tensor[] results) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < infos.size(); i++) {
            String name = infos.get(i).name();
            int dot = name.indexOf('.');
            groups.computeIfAbsent(dot < 0 ? name : name.substring(0, dot), k -> new ArrayList<>()).add(i);
        }
        long itemSize = torch.elementSize(dtype);
        for (List<Integer> group : groups.values()) {
            List<Integer> block = new ArrayList<>();
            long blockBytes = 0;
            for (int i : group) {
                long bytes = alignUp(infos.get(i).numel() * itemSize);
                if (!block.isEmpty() && blockBytes + bytes > BLOCK) {
                    carve(infos, dtype, block, blockBytes, results);
                    block.clear();
                    blockBytes = 0;
                }
                block.add(i);
                blockBytes += bytes;
            }
            carve(infos, dtype, block, blockBytes, results);
        }
    }

    /** One block of {@code bytes} holding the results {@code members}, in order. */
    private static void carve(List<TensorInfo> infos, ScalarType dtype, List<Integer> members, long bytes,
                              Tensor[] results) {
        try (PointerScope scope = new PointerScope()) {
            Tensor block = torch.empty(new long[] {bytes}, new TensorOptions(ScalarType.Byte),
                    new MemoryFormatOptional());
            long itemSize = torch.elementSize(dtype);
            long offset = 0;
            for (int i : members) {
                TensorInfo info = infos.get(i);
                long size = info.numel() * itemSize;
                Tensor result = block.narrow(0, offset, size).view(dtype).view(info.shape());
                result.retainReference(); // survives the scope: the caller's reference (it keeps the block alive)
                results[i] = result;
                offset += alignUp(size);
            }
        }
    }

    private static long alignUp(long bytes) {
        return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** Reads one tensor into its (allocated) result. */
    private static void fill(Windows windows, TensorInfo info, Tensor result) throws IOException {
        if (info.byteSize() == 0) {
            return;
        }
        try (PointerScope scope = new PointerScope()) {
            if (info.scalarType().intern() == result.scalar_type().intern()) {
                windows.readInto(info, result.view(-1).view(ScalarType.Byte));
            } else {
                convertInto(windows, info, result.view(-1));
            }
        }
    }

    /** Converts the tensor's bytes window by window into {@code flat} (the result, viewed as one dimension). */
    private static void convertInto(Windows windows, TensorInfo info, Tensor flat) throws IOException {
        long bytes = info.byteSize();
        long itemSize = info.safetensorsDtype().itemSize();
        for (long done = 0; done < bytes; done += WINDOW) {
            long length = Math.min(WINDOW, bytes - done);
            try (PointerScope scope = new PointerScope()) {
                Tensor source = windows.bytes(info, done, length).view(info.scalarType());
                flat.narrow(0, done / itemSize, length / itemSize).copy_(source); // converts the dtype
            } finally {
                windows.release();
            }
        }
    }

    /**
     * One worker's access to the file's bytes: a window mapped in place when its pages are all in the page cache,
     * else read into a staging buffer of {@link #WINDOW} bytes (allocated on first use).
     */
    private static final class Windows implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private boolean mapResident;
        private Tensor staging;
        private MappedByteBuffer mapped;

        Windows(Path file, FileChannel channel, boolean mapResident) {
            this.file = file;
            this.channel = channel;
            this.mapResident = mapResident;
        }

        /**
         * Bytes {@code [offset, offset + length)} of the tensor's data as a uint8 tensor, valid until
         * {@link #release()}. A mapping is only used when the pages are resident ({@code isLoaded}: mincore):
         * faulting a cold file in through a mapping reads it in small pieces, far slower than large reads.
         */
        Tensor bytes(TensorInfo info, long offset, long length) throws IOException {
            MappedByteBuffer mapping = mapResident ? map(info.dataBegin() + offset, length) : null;
            if (mapping != null && mapping.isLoaded()) {
                mapped = mapping;
                return torch.from_blob(new BytePointer(mapping), new long[] {length},
                        new TensorOptions(ScalarType.Byte));
            } else if (mapping != null) {
                unmap(mapping);
            }
            if (staging == null) {
                staging = torch.empty(new long[] {WINDOW}, new TensorOptions(ScalarType.Byte),
                        new MemoryFormatOptional());
                staging.retainReference(); // survives the caller's scope; released in close()
            }
            Tensor window = staging.narrow(0, 0, length);
            read(info, offset, buffer(window));
            return window;
        }

        /** The bytes mapped read-only, or null (and no more mapping) where the file system cannot map them. */
        private MappedByteBuffer map(long position, long length) {
            try {
                return channel.map(FileChannel.MapMode.READ_ONLY, position, length);
            } catch (IOException | UnsupportedOperationException e) {
                mapResident = false; // read into the staging buffer instead, as for a cold file
                return null;
            }
        }

        /** Reads the tensor's bytes straight into {@code target}: its result (of the same dtype) as flat bytes. */
        void readInto(TensorInfo info, Tensor target) throws IOException {
            for (long done = 0; done < info.byteSize(); done += WINDOW) {
                long length = Math.min(WINDOW, info.byteSize() - done);
                try (PointerScope scope = new PointerScope()) {
                    read(info, done, buffer(target.narrow(0, done, length)));
                }
            }
        }

        /** A contiguous uint8 tensor's memory as a ByteBuffer (at most 2 GiB: {@link #WINDOW} bytes here). */
        private static ByteBuffer buffer(Tensor bytes) {
            return new BytePointer(bytes.data_ptr()).limit(bytes.numel()).asByteBuffer();
        }

        private void read(TensorInfo info, long offset, ByteBuffer into) throws IOException {
            while (into.hasRemaining()) {
                int n = channel.read(into, info.dataBegin() + offset + into.position());
                if (n < 0) {
                    throw new EOFException(file + ": the file ended inside tensor \"" + info.name()
                            + "\" (truncated or modified while being read)");
                }
            }
        }

        /** Unmaps the window {@link #bytes} last mapped, if any (its tensor must not be used any more). */
        void release() {
            if (mapped != null) {
                unmap(mapped);
                mapped = null;
            }
        }

        @Override
        public void close() {
            release();
            if (staging != null) {
                staging.releaseReference();
                staging = null;
            }
        }
    }

    private static void unmap(MappedByteBuffer buffer) {
        try {
            UNMAP.invokeExact((ByteBuffer) buffer);
        } catch (Throwable t) {
            throw new IllegalStateException("could not unmap a window of a weights file", t);
        }
    }

    /** The unmapper, or null where this JVM does not offer it (then every window is read into a staging buffer). */
    private static MethodHandle findUnmap() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(field.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
